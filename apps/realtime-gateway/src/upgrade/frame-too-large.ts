import { CloseCode } from '@switchboard/events';
import type WebSocket from 'ws';

type ReceiverWithEvents = {
  prependListener(event: 'error', listener: (error: Error & { code?: string }) => void): void;
};

/** A frame over maxPayload: ws would close 1009; the contract says 4413. */
export function closeOversizeFrames(socket: WebSocket, counted: () => void): void {
  const receiver = (socket as unknown as { _receiver?: ReceiverWithEvents })._receiver;
  receiver?.prependListener('error', (error) => {
    if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
      counted();
      socket.close(CloseCode.FRAME_TOO_LARGE, 'frame too large');
    }
  });
}
