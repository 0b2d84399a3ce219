// RoomPush over socket.io: a room is a socket.io room named by its key.
import type { Server } from 'socket.io';
import type { RoomPush } from './ports';

export function socketIoPush(io: Server): RoomPush {
  return {
    toRoom(roomKey, event, data, exceptSocket) {
      const target = exceptSocket ? io.to(roomKey).except(exceptSocket) : io.to(roomKey);
      target.emit(event, data);
    },
    toSocket(socketId, event, data) {
      io.to(socketId).emit(event, data);
    },
    join(socketId, roomKey) {
      io.sockets.sockets.get(socketId)?.join(roomKey);
    },
    leave(socketId, roomKey) {
      io.sockets.sockets.get(socketId)?.leave(roomKey);
    },
  };
}
