import { z } from 'zod';

/**
 * Live terminal sessions (shared/spec/04-controls.md#live-sessions, issue 12). The worker runs a step's
 * runtime under a pseudo-terminal and dials out to the API over a WebSocket; browsers attach to the API over
 * another; the API relays. No outside relay. This file is the one definition of the session's view, the
 * REST bodies and every frame on both sockets.
 */

export const liveSessionStates = ['DISABLED', 'STARTING', 'READY', 'REVOKED', 'ENDED', 'ERROR'] as const;
export type LiveSessionState = (typeof liveSessionStates)[number];
/** States after which a session never streams again (a new POST creates a new session). */
export const closedSessionStates = ['REVOKED', 'ENDED', 'ERROR'] as const satisfies LiveSessionState[];
export const isSessionOpen = (s: LiveSessionState) => s === 'STARTING' || s === 'READY';

/** Per worker: `off` runs steps headless; `on-demand` runs them under a PTY, streaming only once asked. */
export const liveSessionModes = ['off', 'on-demand', 'always'] as const;
export type LiveSessionMode = (typeof liveSessionModes)[number];

/** The recording, an asciicast v2 artifact (playable by asciinema). */
export const LIVE_SESSION_CAST = 'logs/live-session.cast';
/** Lines the worker's screen keeps for a late viewer. */
export const LIVE_SCROLLBACK_LINES = 10_000;

const actor = z.string().min(1).max(200);
const iso = z.string();

export const liveSessionViewSchema = z.object({
  /** Null while no session was ever created for the job (state DISABLED). */
  id: z.string().nullable(),
  jobId: z.string(),
  state: z.enum(liveSessionStates),
  /** Why the state is what it is: the ERROR's cause, who revoked, why it is DISABLED. */
  reason: z.string().nullable(),
  workerHost: z.string().nullable(),
  createdBy: z.string().nullable(),
  createdAt: iso.nullable(),
  readyAt: iso.nullable(),
  endedAt: iso.nullable(),
  /** The session's TTL (MOONMIND_LIVE_SESSION_TTL_MINUTES after creation). */
  expiresAt: iso.nullable(),
  lastHeartbeatAt: iso.nullable(),
  /** The unexpired write grant, if any: only its holder's input reaches the terminal. */
  write: z.object({ holder: actor, grantedAt: iso, expiresAt: iso }).nullable(),
  /** An operator took the run over: a shell is open in the workspace next to the stopped agent. */
  takeover: z.object({ actor, startedAt: iso, shellOpen: z.boolean() }).nullable(),
  /** Who is watching now (browser sockets attached to the API). */
  viewers: z.array(z.object({ actor, since: iso, writer: z.boolean() })),
  /** The recording's artifact name once one exists. */
  recording: z.string().nullable(),
});
export type LiveSessionView = z.infer<typeof liveSessionViewSchema>;

/** The view of a job that has no session (DISABLED): the API's answer, and the dashboard's before one. */
export const noSessionView = (
  jobId: string,
  reason: string | null = null,
  viewers: LiveSessionView['viewers'] = [],
): LiveSessionView => ({
  id: null,
  jobId,
  state: 'DISABLED',
  reason,
  workerHost: null,
  createdBy: null,
  createdAt: null,
  readyAt: null,
  endedAt: null,
  expiresAt: null,
  lastHeartbeatAt: null,
  write: null,
  takeover: null,
  viewers,
  recording: null,
});

export const grantWriteBodySchema = z.object({
  /** Default MOONMIND_LIVE_SESSION_WRITE_MINUTES (15), at most MOONMIND_LIVE_SESSION_WRITE_MAX_MINUTES. */
  minutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .optional(),
});
export const revokeBodySchema = z.object({
  /** End the whole session, not only the write grant. */
  session: z.boolean().optional(),
});
export const takeoverBodySchema = grantWriteBodySchema;
export const handBackBodySchema = z.object({
  summary: z.string().trim().min(1, 'is required').max(4_000, 'must be at most 4,000 characters'),
});

const data = z.string().max(1_000_000);
const size = { cols: z.number().int().min(2).max(1_000), rows: z.number().int().min(2).max(500) };

/** Browser → API (`GET /api/queue/jobs/{jobId}/live-session/socket`). Input only from the write holder. */
export const viewerFrameSchema = z.discriminatedUnion('t', [
  z.object({ t: z.literal('in'), d: z.string().max(64_000) }),
  z.object({ t: z.literal('resize'), ...size }),
]);
export type ViewerFrame = z.infer<typeof viewerFrameSchema>;

/** API → browser. `screen` replaces what the viewer shows (attach, resync after a drop, a new step). */
export type ToViewerFrame =
  | { t: 'screen'; d: string; cols: number; rows: number }
  | { t: 'out'; d: string }
  | { t: 'session'; view: LiveSessionView }
  | { t: 'error'; message: string };

/**
 * Worker → API (`GET /api/worker/jobs/{jobId}/live-session/socket`, the worker token; one socket per running
 * step whose runtime runs under a PTY). `hello` first; output flows only between `start` and `stop`.
 */
export const workerFrameSchema = z.discriminatedUnion('t', [
  z.object({
    t: z.literal('hello'),
    hostId: z.string().min(1).max(200),
    attempt: z.number().int().min(1),
    stepIndex: z.number().int().min(0),
    /** `always` (or the task's `liveSession: true`): the API starts a session at once. */
    autoStart: z.boolean(),
    /** MOONMIND_LIVE_SESSIONS_PER_WORKER: the API refuses a session over it with a 409. */
    maxSessions: z.number().int().min(0),
    ...size,
  }),
  /** The session streams: output from here on is relayed. */
  z.object({ t: z.literal('ready'), sessionId: z.string() }),
  z.object({ t: z.literal('out'), d: data }),
  /** The current screen (with scrollback), for `to` (a viewer id) or every viewer when null. */
  z.object({ t: z.literal('screen'), to: z.string().nullable(), d: z.string().max(20_000_000), ...size }),
  z.object({ t: z.literal('shell'), open: z.boolean(), reason: z.string().max(2_000).optional() }),
  /** The worker's side failed (PTY, recording): the session goes to ERROR, the run carries on headless. */
  z.object({ t: z.literal('error'), reason: z.string().max(2_000) }),
]);
export type WorkerFrame = z.infer<typeof workerFrameSchema>;

/** API → worker (the worker checks every frame against it and ignores anything else). */
export const toWorkerFrameSchema = z.union([
  z.object({ t: z.literal('start'), sessionId: z.string() }),
  z.object({ t: z.literal('stop'), reason: z.string() }),
  z.object({ t: z.literal('in'), d: z.string(), actor: z.string() }),
  z.object({ t: z.literal('resize'), ...size }),
  z.object({ t: z.literal('snapshot'), to: z.string().nullable() }),
  /** Recorded as a marker in the cast: who may type from now on (null: nobody). */
  z.object({ t: z.literal('grant'), actor: z.string().nullable(), expiresAt: z.string().nullable() }),
  /** Takeover: open a shell in the workspace (as the agent's user, with its environment), or close it. */
  z.object({ t: z.literal('shell'), open: z.literal(true), actor: z.string() }),
  z.object({ t: z.literal('shell'), open: z.literal(false) }),
]);
export type ToWorkerFrame = z.infer<typeof toWorkerFrameSchema>;
