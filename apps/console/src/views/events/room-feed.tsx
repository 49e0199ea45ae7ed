import { type RoomEvent, useRoom } from '@switchboard/react';

interface Props {
  room: string;
  onEvent(event: RoomEvent): void;
  onRemove(): void;
}

/** One followed room: its subscription status, and its events handed to the view's buffer. */
export function RoomFeed({ room, onEvent, onRemove }: Props) {
  const { subscribed, error, lastResume } = useRoom(room, { limit: 1, onEvent });
  return (
    <li className="room-chip" data-room={room} data-subscribed={subscribed}>
      <span className="mono">{room}</span>{' '}
      {error ? (
        <span className="error-text">
          refused: <code>{error.code}</code>
        </span>
      ) : subscribed ? (
        <span className="muted">joined</span>
      ) : (
        <span className="muted">joining…</span>
      )}
      {lastResume && (
        <span className="muted" data-testid="resume-note">
          {' '}
          · resumed, replayed {lastResume.replayed}, gaps:{' '}
          {lastResume.recovered ? 'none' : 'history lost'}
        </span>
      )}{' '}
      <button type="button" className="link" onClick={onRemove} aria-label={`Leave ${room}`}>
        ×
      </button>
    </li>
  );
}
