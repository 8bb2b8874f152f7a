import { quoteArg, quoteCommand } from './shell-quote.js';

/**
 * The process driver's operations as POSIX sh scripts (Linux /proc), fed to `sh -s` on stdin —
 * locally, or on a remote host through ssh — so one implementation serves both. The values come
 * first as quoted assignments; the body below is constant text. Env values travel inside the
 * script (stdin), never in any argv that `ps` would show.
 *
 * Files under stateDir: NAME.pid (the pid), NAME.json ({version, pid, startTime, startedAt}),
 * NAME.log (stdout+stderr, appended). startTime is field 22 of /proc/PID/stat: a pid file whose pid
 * now belongs to another program (reused) is recognised by it and left alone.
 */

export interface ProcessTarget {
  stateDir: string;
  instance: string;
  /** SIGKILL this long after SIGTERM. */
  stopTimeoutMs: number;
}

export interface LaunchSpec {
  command: string[];
  env: Record<string, string>;
  workingDir?: string;
  version: string;
  startedAt: number;
}

/** Exit code the scripts use for "the process group outlived SIGKILL". */
export const EXIT_UNKILLABLE = 3;

const BODY = `set -u
pidfile="$dir/$name.pid"
statefile="$dir/$name.json"
logfile="$dir/$name.log"

# Centiseconds since boot, from a builtin read (no date(1), no GNU %N).
now_cs() {
  read -r up _ < /proc/uptime
  echo "\${up%.*}\${up#*.}" | sed 's/^0*//'
}

# Fields of /proc/PID/stat after "(comm) ": state, pgrp, starttime (fields 3, 5, 22).
proc_stat() {
  line=
  { read -r line < "/proc/$1/stat"; } 2>/dev/null || return 1
  rest=\${line##*) }
  set -- $rest
  st_state=$1
  st_pgrp=$3
  st_start=\${20}
}

# A killed orphan stays a zombie until init reaps it, which some inits never do: zombies are dead.
group_alive() {
  pg=$1
  for f in /proc/[0-9]*/stat; do
    { read -r line < "$f"; } 2>/dev/null || continue
    rest=\${line##*) }
    set -- $rest
    if [ "$3" = "$pg" ] && [ "$1" != Z ] && [ "$1" != X ]; then return 0; fi
  done
  return 1
}

rec_pid=
rec_start=
if [ -f "$pidfile" ]; then read -r rec_pid < "$pidfile" || true; fi
if [ -f "$statefile" ]; then rec_start=$(sed -n 's/.*"startTime":\\([0-9]*\\).*/\\1/p' "$statefile"); fi

# Whether what the pid file names is still ours. While any process of a group lives, the kernel
# does not hand its number out again, so a leader that exited leaves a group we may still signal.
ours() {
  case "$rec_pid" in '' | *[!0-9]*) return 1 ;; esac
  if proc_stat "$rec_pid"; then
    if [ "$st_state" = Z ] || [ "$st_state" = X ]; then group_alive "$rec_pid"; return; fi
    if [ -n "$rec_start" ] && [ "$rec_start" != 0 ] && [ "$st_start" != "$rec_start" ]; then
      echo "stale pid file: pid $rec_pid is another program now"
      return 1
    fi
    return 0
  fi
  group_alive "$rec_pid"
}

do_stop() {
  if ours; then
    kill -s TERM -- "-$rec_pid" 2>/dev/null || true
    deadline=$(( $(now_cs) + stop_cs ))
    killed=
    while group_alive "$rec_pid"; do
      now=$(now_cs)
      if [ -z "$killed" ] && [ "$now" -ge "$deadline" ]; then
        kill -s KILL -- "-$rec_pid" 2>/dev/null || true
        killed=1
        deadline=$(( now + 500 ))
        echo "pid $rec_pid ignored SIGTERM for $stop_cs cs: sent SIGKILL"
      elif [ -n "$killed" ] && [ "$now" -ge "$deadline" ]; then
        echo "process group $rec_pid still alive 5 s after SIGKILL" >&2
        exit ${EXIT_UNKILLABLE}
      fi
      sleep 0.05
    done
    echo "stopped pid $rec_pid"
  elif [ -n "$rec_pid" ]; then
    echo "pid $rec_pid was not running"
  fi
  rm -f "$pidfile" "$statefile"
}
`;

function prelude(t: ProcessTarget): string {
  return [
    `dir=${quoteArg(t.stateDir)}`,
    `name=${quoteArg(t.instance)}`,
    `stop_cs=${Math.max(0, Math.ceil(t.stopTimeoutMs / 10))}`,
  ].join('\n');
}

/** Stops whatever the pid file names (SIGTERM to its group, SIGKILL after the timeout). */
export function stopScript(t: ProcessTarget): string {
  return `${prelude(t)}\n${BODY}\ndo_stop\n`;
}

/** Prints "running PID" or "stopped", then the state JSON when there is one. */
export function stateScript(t: ProcessTarget): string {
  return `${prelude(t)}\n${BODY}
if ours; then echo "running $rec_pid"; else echo stopped; fi
if [ -f "$statefile" ]; then cat "$statefile"; fi
`;
}

/** Stops what ran there, then starts the command detached in its own session, output to the log. */
export function startScript(t: ProcessTarget, launch: LaunchSpec): string {
  const exports = Object.entries(launch.env).map(([k, v]) => `export ${k}=${quoteArg(v)}`);
  const cd =
    launch.workingDir !== undefined
      ? `cd ${quoteArg(launch.workingDir)} || { echo "cannot enter the working directory" >&2; exit 2; }`
      : '';
  return `${prelude(t)}
version=${quoteArg(launch.version)}
started_at=${Math.floor(launch.startedAt)}
${BODY}
mkdir -p "$dir" || exit 2
do_stop
${cd}
${exports.join('\n')}
set -- ${quoteCommand(launch.command)}
# setsid: its own session and process group (stop signals the group, and the deployer's or the ssh
# session's end does not reach it); nohup: a hangup does not stop it either.
setsid nohup "$@" >> "$logfile" 2>&1 < /dev/null &
pid=$!
proc_stat "$pid" || st_start=
printf '%s\\n' "$pid" > "$pidfile.tmp" && mv -f "$pidfile.tmp" "$pidfile"
printf '{"version":"%s","pid":%s,"startTime":%s,"startedAt":%s}\\n' "$version" "$pid" "\${st_start:-0}" "$started_at" > "$statefile.tmp"
mv -f "$statefile.tmp" "$statefile"
echo "started pid $pid"
`;
}
