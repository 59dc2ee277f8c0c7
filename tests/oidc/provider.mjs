// A real OpenID provider (node oidc-provider, a certified implementation) for authd's federation tests.
// Listens on a free port of 127.0.0.1 and prints {"issuer": ...} as its first stdout line.
// One confidential client, `authd`, whose redirect URI is AUTHD_CALLBACK. The login and consent pages are
// replaced by one interaction that signs in at once: the test picks the account with the interaction URL's
// query (`sub`, `email`, `unverified=1`), or refuses with `deny=1`.
import http from 'node:http';
import Provider from 'oidc-provider';

const callback = process.env.AUTHD_CALLBACK;
const accounts = new Map();

const config = {
  clients: [{
    client_id: 'authd',
    client_secret: 'authd-test-secret',
    redirect_uris: [callback],
    grant_types: ['authorization_code'],
    response_types: ['code'],
  }],
  claims: { openid: ['sub'], email: ['email', 'email_verified'] },
  // Scope claims in the ID token too, as Google and most providers put them.
  conformIdTokenClaims: false,
  findAccount: async (_ctx, id) => ({
    accountId: id,
    claims: async () => ({ sub: id, ...(accounts.get(id) ?? {}) }),
  }),
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  features: { devInteractions: { enabled: false } },
  cookies: { keys: ['authd-test-cookie-key'] },
};

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, config);
  provider.use(async (ctx, next) => {
    const match = ctx.path.match(/^\/interaction\/([^/]+)$/);
    if (!match) return next();
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    let result;
    if (ctx.query.deny) {
      result = { error: 'access_denied', error_description: 'the user said no' };
    } else {
      const accountId = ctx.query.sub || 'alice';
      accounts.set(accountId, {
        email: ctx.query.email || `${accountId}@example.com`,
        email_verified: !ctx.query.unverified,
      });
      const grant = new provider.Grant({ accountId, clientId: details.params.client_id });
      grant.addOIDCScope(details.params.scope);
      result = { login: { accountId }, consent: { grantId: await grant.save() } };
    }
    const to = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
    ctx.redirect(to);
  });
  server.on('request', provider.callback());
  console.log(JSON.stringify({ issuer }));
});
