// The REST route tables, imported only dynamically by client.ts so that they (and TypeBox) form their
// own chunk instead of weighing on the first load.
export { NmsRoutes } from '@lienthong/nms/protocol';
export { SfuRoutes } from '@lienthong/sfu-server/protocol';
