import { hostname, userInfo } from 'node:os';

/** `user@host` of whoever runs the CLI, for audit lines and resolutions. */
export function whoAmI(): string {
  let user = process.env.USER ?? process.env.USERNAME;
  try {
    user ??= userInfo().username;
  } catch {
    user ??= 'unknown';
  }
  return `${user}@${hostname()}`;
}
