import type { RoomEvent } from '@switchboard/react';
import { type FormEvent, useCallback, useState } from 'react';
import { useSession } from '../../session/session.js';
import { useConnectionLog } from './connection-log.js';
import { EVENT_BUFFER_LIMIT, addEvent, matchesFilter } from './event-buffer.js';
import { RoomFeed } from './room-feed.js';

const ROOM_PATTERN = /^(global|admin|(user|dealership|sandbox|project|agent):\S{1,128})$/;

export function LiveEventsView() {
  const { identity, isAdmin } = useSession();
  const [rooms, setRooms] = useState<string[]>(() => [
    `dealership:${identity.dealershipId}`,
    ...(isAdmin ? ['admin'] : []),
  ]);
  const [draft, setDraft] = useState('');
  const [draftError, setDraftError] = useState<string | undefined>(undefined);
  const [events, setEvents] = useState<RoomEvent[]>([]);
  // While paused the list on screen stays as it was; events keep arriving into `events`.
  const [frozen, setFrozen] = useState<RoomEvent[] | undefined>(undefined);
  const [filter, setFilter] = useState('');
  const [open, setOpen] = useState<string | undefined>(undefined);
  const notes = useConnectionLog();

  const onEvent = useCallback((item: RoomEvent) => setEvents((list) => addEvent(list, item)), []);
  const addRoom = (event: FormEvent) => {
    event.preventDefault();
    const room = draft.trim();
    if (!ROOM_PATTERN.test(room)) {
      setDraftError(
        'A room is global, admin, or kind:id (dealership, sandbox, project, agent, user).',
      );
      return;
    }
    setDraftError(undefined);
    setRooms((list) => (list.includes(room) ? list : [...list, room]));
    setDraft('');
  };
  const shown = (frozen ?? events).filter((item) => matchesFilter(item, filter));
  const waiting = frozen ? events.length - frozen.length : 0;

  return (
    <section aria-labelledby="events-title">
      <h1 id="events-title">Live events</h1>
      <form className="filters" onSubmit={addRoom}>
        <label className="grow">
          Follow a room
          <input
            value={draft}
            onChange={(event) => setDraft(event.target.value)}
            placeholder="sandbox:sbx_… or project:p1"
            aria-describedby={draftError ? 'room-error' : undefined}
          />
        </label>
        <button type="submit">Follow</button>
        <label>
          Filter by type
          <input
            value={filter}
            onChange={(event) => setFilter(event.target.value)}
            placeholder="sandbox.paused"
          />
        </label>
        <button
          type="button"
          aria-pressed={frozen !== undefined}
          onClick={() => setFrozen(frozen ? undefined : events)}
        >
          {frozen ? `Resume view (${Math.max(waiting, 0)} new)` : 'Pause view'}
        </button>
      </form>
      {draftError && (
        <p id="room-error" role="alert" className="error">
          {draftError}
        </p>
      )}
      <ul className="rooms" aria-label="Followed rooms">
        {rooms.map((room) => (
          <RoomFeed
            key={room}
            room={room}
            onEvent={onEvent}
            onRemove={() => setRooms((list) => list.filter((item) => item !== room))}
          />
        ))}
      </ul>
      <div className="split">
        <div className="table-wrap">
          <table className="grid" aria-label="Events, newest first">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Room</th>
                <th scope="col">Event</th>
                <th scope="col">Seq</th>
                <th scope="col" className="hide-narrow">
                  Epoch
                </th>
              </tr>
            </thead>
            <tbody>
              {shown.map((item) => {
                const key = `${item.meta.room}/${item.meta.id}`;
                return (
                  <tr key={key} data-event={item.event} aria-selected={open === key}>
                    <td>{new Date(item.meta.ts).toLocaleTimeString()}</td>
                    <td className="mono id">{item.meta.room}</td>
                    <td>
                      <button type="button" className="link" onClick={() => setOpen(key)}>
                        {item.event}
                      </button>
                    </td>
                    <td className="mono">{item.meta.seq}</td>
                    <td className="mono muted hide-narrow">{item.meta.epoch.slice(0, 8)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {shown.length === 0 && <p className="muted">No events yet: they appear here live.</p>}
          <p className="muted">Keeps the newest {EVENT_BUFFER_LIMIT} events.</p>
        </div>
        <div>
          {open && (
            <div className="panel">
              <h2>Event</h2>
              <pre className="json" data-testid="event-json">
                {JSON.stringify(
                  events.find((item) => `${item.meta.room}/${item.meta.id}` === open) ?? null,
                  null,
                  2,
                )}
              </pre>
            </div>
          )}
          <h2>Connection</h2>
          <ol className="history" aria-live="polite" data-testid="connection-log">
            {notes.map((note) => (
              <li key={`${note.at}-${note.text}`}>
                <time>{new Date(note.at).toLocaleTimeString()}</time> {note.text}
              </li>
            ))}
          </ol>
        </div>
      </div>
    </section>
  );
}
