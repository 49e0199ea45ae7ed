/**
 * Every Redis key, pub/sub channel and BullMQ queue name Switchboard uses. Nothing else in the
 * repository spells a key: a test fails on literal keys in app or package sources.
 *
 * Key tree (each name is preceded by KEY_PREFIX when set; `{...}` is a Redis Cluster hash tag,
 * so the keys that one Lua script or MULTI touches live in one slot; test/cluster.test.ts runs
 * the multi-key scripts on a real 3-node Redis Cluster).
 *
 *   sandbox:metadata:{<id>}                    hash     state, owner, settings, timestamps
 *   sandbox:history:{<id>}                     list     pause/resume audit, newest first, capped
 *   sandbox:executions:{<id>}                  zset     execution ids of a sandbox by start time
 *   sandbox:execution:{<id>}:<executionId>     hash     one tool execution: state, output, timings
 *   sandbox:index:all                          zset     every sandbox id, score = createdAt (ms)
 *   sandbox:index:dealership:<dealershipId>    zset     one tenant's sandbox ids
 *   sandbox:stats:states                       hash     state -> number of sandboxes (gauge source)
 *   sandbox:control                            channel  API -> workers: freeze / thaw / kill
 *   sandbox:outbox:{<id>}                      stream   events committed with a transition, to publish
 *   sandbox:outbox-lock:{<id>}                 string   the one relay publishing that outbox now
 *   sandbox:outbox-pending                     zset     sandbox ids whose outbox may need a relay
 *   sandbox:settings-lock:{<id>}               string   one settings change of a sandbox at a time
 *   idempotency:<scope>:<dealershipId>:<sub>:<route>:<key>
 *                                              string   first response of a mutating request (24 h);
 *                                                       each part percent-encoded, route =
 *                                                       `<METHOD> <route template>`
 *   sandbox:live:{d:<dealershipId>}            set      a tenant's non-terminated sandbox ids (quota)
 *   sandbox:auto-pause:{d:<dealershipId>}      set      a tenant's sandboxes with auto-pause settings (quota)
 *   ratelimit:<service>:ip:<ip>                string   requests of one IP leased by instances in the window (PEXPIRE)
 *   ratelimit:<service>:<group>:d:<dealershipId>:u:<sub>  string  requests of one principal per route group, leased likewise
 *
 *   ws:broadcast                               channel  traffic for the `global` room
 *   ws:room:<roomKey>                          channel  traffic for one tenant-scoped room (and ws:room:admin)
 *   ws:direct:<instanceId>                     channel  messages for one gateway instance
 *   ws:health                                  channel  instance heartbeats
 *   ws:migration                               channel  drain announcements
 *   ws:connection:{<clientId>}                 hash     connection registry entry (TTL refreshed)
 *   ws:instances                               zset     instanceId -> last heartbeat (ms)
 *   ws:user-connections:{d:<dealershipId>:user:<userId>}  zset  a user's connections -> instance
 *   ws:queue:{d:<dealershipId>:user:<userId>}  list     offline queue of a user (TTL, max length)
 *   ws:seq:{<roomKey>}                         string   last sequence number of a room
 *   ws:history:{<roomKey>}                     stream   bounded history of a room
 *   ws:epoch:{<roomKey>}                       string   history epoch; changes when history is lost
 *   ws:ids:{<roomKey>}                         zset     newest event ids of a room -> seq (append once)
 *   ws:subscriptions:{<clientId>}              hash     room -> last delivered seq (recovery)
 *   ws:presence:{<roomKey>}                    hash     clientId -> instance, user, connectedAt (not global)
 *   ws:instance-rooms:<instanceId>             hash     roomKey -> members on that instance
 *   ws:instance-stats                          hash     instanceId -> counters snapshot (JSON)
 *   github:secret:d:<dealershipId>             string   GitHub webhook secret of a dealership
 *   github:repos:d:<dealershipId>              hash     owner/repo -> project id
 *   github:delivery:d:<dealershipId>:<id>      string   handled X-GitHub-Delivery (24 h)
 *
 *   auth:revoked-tokens                        zset     revoked jti -> token expiry (ms)
 *   auth:revocations                           channel  jti revoked now (deny-list caches)
 *
 *   {flags}:flag:<key>                         string   current flag definition (JSON)
 *   {flags}:index                              set      every flag key
 *   {flags}:versions:<key>                     list     immutable versions, oldest first
 *   {flags}:audit                              stream   audit log of every change
 *   {flags}:audit:<key>                        stream   audit log of one flag
 *   flags:changes                              channel  change notifications for the SDKs
 *   {flags}:outbox                             stream   flag events committed with a change, to publish
 *   {flags}:outbox-lock                        string   the one relay publishing it now
 *   {flags}:outbox-pending                     zset     marks the flag outbox as needing a relay
 *
 *   task:record:{<taskId>}                     hash     one agent task: state, version, assignee, input, result
 *   task:history:{<taskId>}                    list     its transitions, oldest first
 *   task:excluded:{<taskId>}                   set      agents that refused it or let it time out
 *   task:outbox:{<taskId>} / outbox-lock:{<taskId>}     events committed with a transition; its relay lock
 *   task:outbox-pending                        zset     task ids whose outbox may need a relay
 *   task:index:{d:<dealershipId>}:<filter>     zset     task ids by createdAt: all, state:<s>, assignee:<a>,
 *                                                       capability:<c>, project:<p>
 *   task:pending:{d:<dealershipId>}:<cap>      zset     tasks waiting for an agent, by priority then age
 *   task:pending-capabilities:{d:<dealershipId>} set    capabilities with waiting tasks
 *   task:pending-dealerships                   set      dealerships with waiting tasks
 *   task:dirty                                 zset     task id -> when a change began (index repair)
 *   task:stats:states                          hash     state -> open tasks (gauge source)
 *   agent:record:{d:<dealershipId>}:<agentId>  hash     registered agent: capabilities, maxConcurrent, labels
 *   agent:index:{d:<dealershipId>}:all         zset     agent ids by registration time
 *   agent:index:{d:<dealershipId>}:capability:<cap>  set  agent ids with one capability
 *   agent:load:{d:<dealershipId>}:<agentId>    set      task ids an agent holds (assigned or accepted)
 *   agent:accepted:{d:<dealershipId>}:<agentId> set     task ids an agent has accepted
 *   agent:idle-since:{d:<dealershipId>}        zset     agent id -> when it last became idle (ms)
 *
 *   <prefix>{bull}:<queue>:*                   BullMQ   queues: sandbox-executions,
 *                                                       sandbox-auto-pause, ws-offline-deliveries,
 *                                                       task-timers
 */
import { authKeys } from './auth.js';
import { flagKeys } from './flags.js';
import { idempotencyKeys } from './idempotency.js';
import { queueNames } from './queues.js';
import { rateLimitKeys } from './rate-limit.js';
import { realtimeKeys } from './realtime.js';
import { realtimeApiKeys } from './realtime-api.js';
import { sandboxKeys } from './sandbox.js';
import { taskKeys } from './tasks.js';
import { type Prefixer, prefixer } from './prefix.js';

/**
 * The keyspace of one deployment. `prefix` is KEY_PREFIX, parsed once by the app's config and
 * passed down: nothing here reads the environment.
 */
export function createKeyspace(prefix: string) {
  const withPrefix: Prefixer = prefixer(prefix);
  return {
    prefix,
    sandbox: sandboxKeys(withPrefix),
    tasks: taskKeys(withPrefix),
    realtime: realtimeKeys(withPrefix),
    realtimeApi: realtimeApiKeys(withPrefix),
    auth: authKeys(withPrefix),
    flags: flagKeys(withPrefix),
    idempotency: idempotencyKeys(withPrefix),
    rateLimit: rateLimitKeys(withPrefix),
    queues: queueNames(prefix),
  };
}

export type Keyspace = ReturnType<typeof createKeyspace>;

export { sandboxOwner, type HashFieldReader } from './sandbox.js';
export type { Prefixer } from './prefix.js';
