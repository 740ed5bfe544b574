/**
 * The `agent:` setting of a peer when it is a socket or pipe path: checked here, with the rest
 * of the peers file, before anything connects. Which agent a connection then asks is decided in
 * src/peer-access/ssh-agent.ts.
 */

/** Why a socket-path `agent:` value cannot be used, or undefined; for the config schema. */
export function agentPathProblem(value: string): string | undefined {
  if (value.trim() === '') {
    return 'an empty agent path; use true, false, pageant, openssh, or the path of the agent socket or pipe';
  }
  if (value.includes('\0') || /[\r\n]/.test(value)) return 'an agent path may not contain NUL or line breaks';
  if (value === '~' || (value.startsWith('~') && !/^~[/\\]/.test(value))) {
    return `"${value}": only "~/" (this user's home) is expanded in an agent path`;
  }
  const absolute = value.startsWith('/') || value.startsWith('~') || /^[A-Za-z]:[/\\]/.test(value);
  // `$XDG_RUNTIME_DIR/…`, `%USERPROFILE%\…`: expanded like every controller path (expandHome).
  const fromVariable = /^(\$|%[A-Za-z_])/.test(value);
  if (!absolute && !fromVariable && !isWindowsPipe(value)) {
    return `"${value}" is a relative path, which would depend on the folder peer-comms starts in; give an absolute socket path (or ~/…, $VAR/…), a Windows pipe (\\\\.\\pipe\\NAME), or one of true, false, pageant, openssh`;
  }
  return undefined;
}

/** `\\.\pipe\NAME` (or with forward slashes), as ssh2 recognises a Windows named pipe. */
export function isWindowsPipe(value: string): boolean {
  return /^[/\\][/\\]\.[/\\]pipe[/\\]./i.test(value);
}
