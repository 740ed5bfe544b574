/** The files of a certificates folder made by `peer-comms certs` (tls-certs.ts), by role. Apart so `dev` reads them without loading the X.509 code. */
export const TLS_FILES = {
  ca: 'ca.pem',
  caKey: 'ca-key.pem',
  server: 'server.pem',
  serverKey: 'server-key.pem',
  client: (name: string) => `client-${name}.pem`,
  clientKey: (name: string) => `client-${name}-key.pem`,
} as const;
