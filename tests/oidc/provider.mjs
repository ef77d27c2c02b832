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
//
// Access tokens for an API (the tests of accounts/api/entra_bearer.py), when OIDC_RESOURCES
// names resources — a JSON object {"<resource indicator>": {"audience": "…", "scope": "a b"}}:
// the authorization request and the token request carry `resource` (RFC 8707, oidc-provider's
// features.resourceIndicators) and the access token is a JWT signed with the same key, with
// Entra's v2.0 access-token claims (learn.microsoft.com/entra/identity-platform/
// access-token-claims-reference): aud, tid, oid, preferred_username, name, azp, ver and the
// delegated scopes in `scp`. OIDC_API_CLIENT_ID / OIDC_API_CLIENT_SECRET /
// OIDC_API_REDIRECT_URIS add the client that asks for them (the connector's app registration);
// it may also use client credentials, whose app-only token carries OIDC_APP_CLAIMS (a JSON
// object: oid, roles) and no `scp`, as Entra's does.
import { readFileSync } from 'node:fs';
import http from 'node:http';

import * as jose from 'jose';
import Provider, { errors } from 'oidc-provider';

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
const OIDC_SCOPES = new Set(['openid', 'profile', 'email', 'offline_access']);
const resources = JSON.parse(process.env.OIDC_RESOURCES || '{}');
const appClaims = JSON.parse(process.env.OIDC_APP_CLAIMS || '{}');

const clients = [
  {
    client_id: env('OIDC_CLIENT_ID'),
    client_secret: env('OIDC_CLIENT_SECRET'),
    redirect_uris: list('OIDC_REDIRECT_URIS'),
    post_logout_redirect_uris: list('OIDC_POST_LOGOUT_URIS'),
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_post',
  },
];
if (process.env.OIDC_API_CLIENT_ID) {
  clients.push({
    client_id: env('OIDC_API_CLIENT_ID'),
    client_secret: env('OIDC_API_CLIENT_SECRET'),
    redirect_uris: list('OIDC_API_REDIRECT_URIS'),
    grant_types: ['authorization_code', 'client_credentials'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_post',
  });
}

const resourceIndicators = {
  enabled: Object.keys(resources).length > 0,
  defaultResource: async (ctx, client, oneOf) => oneOf,
  useGrantedResource: async () => true,
  async getResourceServerInfo(ctx, indicator) {
    const server = resources[indicator];
    if (!server) throw new errors.InvalidTarget();
    return {
      scope: server.scope,
      audience: server.audience || indicator,
      accessTokenFormat: 'jwt',
      jwt: { sign: { alg: 'RS256' } },
    };
  },
};

// Entra's access-token claims (v2.0) on the JWT access tokens.
async function extraTokenClaims(ctx, token) {
  const base = { ver: '2.0', azp: token.clientId, tid: tenant };
  if (token.kind === 'ClientCredentials') return { ...base, ...appClaims };
  if (token.kind !== 'AccessToken') return undefined;
  const claims = accounts[token.accountId] || {};
  const scp = (token.scope || '').split(' ').filter((s) => s && !OIDC_SCOPES.has(s)).join(' ');
  return {
    ...base,
    tid: claims.tid,
    oid: claims.oid,
    preferred_username: claims.preferred_username,
    name: claims.name,
    ...(scp ? { scp } : {}),
  };
}

const provider = new Provider(issuer, {
  clients,
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
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
    clientCredentials: { enabled: Boolean(process.env.OIDC_API_CLIENT_ID) },
    resourceIndicators,
  },
  extraTokenClaims,
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
    // An admin-consented API: the resource's scopes this request asks for.
    const resource = ctx.oidc.params?.resource;
    if (typeof resource === 'string' && resources[resource]) {
      const offered = new Set(resources[resource].scope.split(' '));
      const asked = String(ctx.oidc.params.scope || '').split(' ').filter((s) => offered.has(s));
      if (asked.length) grant.addResourceScope(resource, asked.join(' '));
    }
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
