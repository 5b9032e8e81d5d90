/** The session row under a React Profiler of its own: the bench build puts this in place of the real module, so every render inside a row is counted. */
import { Profiler, memo } from 'react';
import { SessionRow as Row, type Props } from '../../src-renderer/views/session-row.tsx';
import { onRowRender } from './profile-log.ts';

export type { Props };

/** The real row, profiled by session id. */
export const SessionRow = memo(function SessionRowProbe(props: Props) {
  return (
    <Profiler id={props.session.id} onRender={onRowRender}>
      <Row {...props} />
    </Profiler>
  );
});
