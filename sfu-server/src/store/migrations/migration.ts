// Numbered migrations, applied in order inside one transaction each and recorded in
// schema_migrations. Never edit a released migration; add the next number.
export interface Migration {
  version: number;
  name: string;
  sql: string;
}
