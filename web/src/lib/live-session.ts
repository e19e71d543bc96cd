import { isSessionOpen, type LiveSessionView } from '../../../contracts/live-session.ts';

/** The API names an actor by the user's name (as in control events); an id is accepted too. */
export interface Me {
  id: string;
  name: string;
}
export const isMe = (actor: string | null | undefined, me: Me | null | undefined) =>
  !!actor && !!me && (actor === me.name || actor === me.id);

/** I may type now: I hold the write grant and it has not run out. */
export function holdsWrite(view: LiveSessionView | undefined, me: Me | null | undefined, now: number) {
  const w = view?.write;
  return !!w && isMe(w.holder, me) && new Date(w.expiresAt).getTime() > now;
}

/** I took the run over and have not handed it back. */
export const ownsTakeover = (view: LiveSessionView | undefined, me: Me | null | undefined) =>
  !!view?.takeover && isMe(view.takeover.actor, me);

/** Which session actions make sense now (the role and the API's reachability are checked by the caller). */
export function sessionActions(view: LiveSessionView | undefined, running: boolean) {
  const open = !!view && isSessionOpen(view.state);
  return {
    start: running && !open,
    grant: open && !view?.write,
    revoke: open && !!view?.write,
    end: open,
  };
}
