// Stable ASCII site codes (used in metric labels and URLs): diacritics removed,
// the unit prefix (Xã/Phường/Thị trấn/Huyện...) dropped, upper case, no spaces.
const PREFIXES = ['thi tran ', 'phuong ', 'xa ', 'huyen ', 'thi xa ', 'thanh pho ', 'tinh '];

export function asciiFold(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D');
}

export function siteCodeFrom(name: string): string {
  let s = asciiFold(name).toLowerCase().trim();
  for (const p of PREFIXES) if (s.startsWith(p)) s = s.slice(p.length);
  return s.replace(/[^a-z0-9]+/g, '').toUpperCase();
}

export const SITE_CODE_PATTERN = '^[A-Z0-9]+(-[A-Z0-9]+)*$';
