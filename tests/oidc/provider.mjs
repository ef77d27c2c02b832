// A real OpenID Connect provider for tierdesk's sign-in tests: node's oidc-provider
// (https://github.com/panva/node-oidc-provider, installed by scripts/ensure-oidc-provider)
// issuing ID tokens shaped like Microsoft Entra ID's v2.0 tokens: tid, oid,
// preferred_username, name, email, roles and groups (claim names from Microsoft's "ID token
// claims reference", learn.microsoft.com/entra/identity-platform/id-token-claims-reference).
//
// Its issuer is http://127.0.0.1:<port>/<tenant>/v2.0, the shape of Entra's
// https://login.microsoftonline.com/<tenant>/v2.0, and its discovery document is at
// <issuer>/.well-known/openid-configuration. The login page is oidc-provider's own
// (devInteractions): any password, the accounts below only. Consent is granted at once
// (the provider's "skip consent" recipe), as an admin-consented Entra app does.
//
// Environment: OIDC_PORT, OIDC_TENANT, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET,
// OIDC_REDIRECT_URIS and OIDC_POST_LOGOUT_URIS (comma-separated), OIDC_ACCOUNTS (a JSON
// file: {"login": {claims…}}). Prints "ready <issuer>" once it listens.
import { readFileSync } from 'node:fs';
import http from 'node:http';

import * as jose from 'jose';
import Provider from 'oidc-provider';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const port = Number(env('OIDC_PORT'));
const tenant = env('OIDC_TENANT');
const prefix = `/${tenant}/v2.0`;
const issuer = `http://127.0.0.1:${port}${prefix}`;
const accounts = JSON.parse(readFileSync(env('OIDC_ACCOUNTS'), 'utf8'));
const list = (name) => (process.env[name] || '').split(',').filter(Boolean);

const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
const signing = { ...(await jose.exportJWK(privateKey)), kid: 'tierdesk-test', alg: 'RS256', use: 'sig' };

const ENTRA_CLAIMS = ['tid', 'oid', 'roles', 'groups'];

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: env('OIDC_CLIENT_ID'),
      client_secret: env('OIDC_CLIENT_SECRET'),
      redirect_uris: list('OIDC_REDIRECT_URIS'),
      post_logout_redirect_uris: list('OIDC_POST_LOGOUT_URIS'),
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
    },
  ],
  jwks: { keys: [signing] },
  cookies: { keys: ['tierdesk-oidc-test-cookie-key'] },
  claims: {
    openid: ['sub', ...ENTRA_CLAIMS],
    profile: ['name', 'preferred_username'],
    email: ['email'],
  },
  // Entra puts the user's claims into the ID token itself (its userinfo endpoint knows no
  // tid, oid or roles); so does this provider.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  ttl: { IdToken: 3600, AccessToken: 3600, AuthorizationCode: 600, Interaction: 3600, Session: 3600, Grant: 3600 },
  async findAccount(ctx, id) {
    const claims = accounts[id];
    if (!claims) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...claims }; } };
  },
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid profile email');
    await grant.save();
    return grant;
  },
});

const app = provider.callback();
const server = http.createServer((req, res) => {
  if (req.url === prefix || req.url.startsWith(`${prefix}/`) || req.url.startsWith(`${prefix}?`)) {
    req.originalUrl = req.url;
    req.url = req.url.slice(prefix.length) || '/';
    app(req, res);
    return;
  }
  res.statusCode = 404;
  res.end('not found');
});
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`ready ${issuer}\n`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
