import { createHmac, generateKeyPairSync } from 'node:crypto';

/**
 * One sample per credential format, built at run time from the format (prefix, alphabet, length; real keys
 * from node:crypto) with a seeded PRNG, so this repository's files hold no credential-looking string and
 * every run sees the same samples. `text` is what would be printed or submitted; `secrets` are the parts
 * that must never be stored.
 */
export interface CredentialSample {
  format: string;
  text: string;
  secrets: string[];
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
const HEX = '0123456789abcdef';
const DIGITS = '0123456789';
const B64 = `${ALNUM}+/`;
const B64URL = `${ALNUM}-_`;
const BECH32 = 'QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L';

/** mulberry32: small, seedable, good enough to make token-shaped strings. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const b64url = (s: string | Buffer) => Buffer.from(s).toString('base64url');
const pemBody = (pem: string) => pem.split('\n').filter((l) => l && !l.startsWith('-----'));
const wrap = (s: string, width: number) => s.match(new RegExp(`.{1,${width}}`, 'g')) ?? [];

function keySamples(): CredentialSample[] {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const ed = generateKeyPairSync('ed25519').privateKey;
  const pem = (format: string, text: string): CredentialSample => ({ format, text, secrets: pemBody(text) });
  const pkcs8 = ed.export({ type: 'pkcs8', format: 'pem' }).toString();
  const encrypted = rsa
    .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'correct horse' })
    .toString();
  // OpenSSH and PGP armor: the key bytes in each format's own BEGIN/END armor and line width.
  const der = ed.export({ type: 'pkcs8', format: 'der' }).toString('base64');
  const armor = (label: string, body: string[], extra: string[] = []) =>
    [`-----BEGIN ${label}-----`, ...extra, ...body, `-----END ${label}-----`].join('\n');
  const openssh = armor(
    'OPENSSH PRIVATE KEY',
    wrap(Buffer.from(`openssh-key-v1\0${der}${der}`).toString('base64'), 70),
  );
  const pgpBody = wrap(rsa.export({ type: 'pkcs1', format: 'der' }).toString('base64'), 64);
  const pgp = armor('PGP PRIVATE KEY BLOCK', [...pgpBody, '=Xk2c'], ['Comment: test key', '']);
  const gcpKey = rsa.export({ type: 'pkcs8', format: 'pem' }).toString();
  const keyId = [...Array(40)].map((_, i) => HEX[(i * 7 + 3) % 16]).join('');
  const serviceAccount = JSON.stringify(
    {
      type: 'service_account',
      project_id: 'acme-prod',
      private_key_id: keyId,
      private_key: gcpKey,
      client_email: 'ci@acme-prod.iam.gserviceaccount.com',
    },
    null,
    2,
  );
  return [
    pem('RSA private key (PKCS#1 PEM)', rsa.export({ type: 'pkcs1', format: 'pem' }).toString()),
    pem('EC private key (SEC1 PEM)', ec.export({ type: 'sec1', format: 'pem' }).toString()),
    pem('PKCS#8 private key', pkcs8),
    pem('encrypted PKCS#8 private key', encrypted),
    { format: 'OpenSSH private key', text: openssh, secrets: pemBody(openssh) },
    {
      format: 'PGP private key block',
      text: pgp,
      secrets: pemBody(pgp).filter((l) => l.length > 8 && !l.includes(':')),
    },
    { format: 'GCP service account JSON', text: serviceAccount, secrets: [keyId, ...pemBody(gcpKey)] },
  ];
}

export function credentialCorpus(seed = 20261129): CredentialSample[] {
  const rand = prng(seed);
  const gen = (alphabet: string, n: number) =>
    Array.from({ length: n }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('');
  const token = (
    format: string,
    value: string,
    around = (v: string) => `using ${v} now`,
  ): CredentialSample => ({
    format,
    text: around(value),
    secrets: [value],
  });
  const inContext = (format: string, prefix: string, value: string, suffix = '') => ({
    format,
    text: `${prefix}${value}${suffix}`,
    secrets: [value],
  });
  const hex = (n: number) => gen(HEX, n);
  const alnum = (n: number) => gen(ALNUM, n);

  const jwtHeader = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const jwtBody = b64url(JSON.stringify({ sub: 'user-42', iat: 1764400000, scope: 'repo' }));
  const jwt = `${jwtHeader}.${jwtBody}.${createHmac('sha256', alnum(32)).update(`${jwtHeader}.${jwtBody}`).digest('base64url')}`;
  const sentryClaims = b64url(JSON.stringify({ iat: 1764400000, url: 'https://sentry.io', org: 'acme' }));
  const basicPass = alnum(18);
  const urlPass = alnum(16);
  const pgPass = alnum(12);

  return [
    ...['ghp', 'gho', 'ghu', 'ghs', 'ghr'].map((p) => token(`GitHub ${p}_ token`, `${p}_${alnum(36)}`)),
    token('GitHub fine-grained token', `github_pat_${alnum(22)}_${alnum(59)}`),
    ...['glpat', 'gldt', 'glrt', 'glptt', 'glagent', 'glsoat', 'glcbt'].map((p) =>
      token(`GitLab ${p}- token`, `${p}-${gen(`${ALNUM}_-`, 20)}`),
    ),
    token('GitLab runner registration token', `GR1348941${gen(B64URL, 20)}`),
    token('Bitbucket app password', `ATBB${alnum(32)}`),
    token('Atlassian API token', `ATATT3${gen(`${ALNUM}_-`, 180)}=${hex(8).toUpperCase()}`),
    token('Slack bot token', `xoxb-${gen(DIGITS, 11)}-${gen(DIGITS, 13)}-${alnum(24)}`),
    token('Slack user token', `xoxp-${gen(DIGITS, 11)}-${gen(DIGITS, 11)}-${gen(DIGITS, 13)}-${hex(32)}`),
    token('Slack workspace access token', `xoxa-${gen(DIGITS, 11)}-${gen(DIGITS, 12)}-${alnum(24)}`),
    token('Slack app-level token', `xapp-1-A${gen(UPPER_ALNUM, 10)}-${gen(DIGITS, 13)}-${hex(64)}`),
    inContext(
      'Slack webhook URL',
      'https://hooks.slack.com/',
      `services/T${gen(UPPER_ALNUM, 8)}/B${gen(UPPER_ALNUM, 10)}/${alnum(24)}`,
    ),
    inContext('Discord webhook URL', `https://discord.com/api/webhooks/${gen(DIGITS, 18)}/`, gen(B64URL, 68)),
    token('Discord bot token', `M${gen(B64URL, 25)}.${gen(B64URL, 6)}.${gen(B64URL, 38)}`),
    token('Telegram bot token', `${gen(DIGITS, 10)}:AA${gen(B64URL, 33)}`),
    token('AWS access key id', `AKIA${gen('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16)}`),
    token('AWS temporary access key id', `ASIA${gen('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16)}`),
    inContext('AWS secret access key', 'aws_secret_access_key = ', gen(B64, 40)),
    token('Alibaba access key id', `LTAI${alnum(20)}`),
    token('Google API key', `AIza${gen(B64URL, 35)}`),
    token('Google OAuth client secret', `GOCSPX-${gen(B64URL, 28)}`),
    token('Google OAuth access token', `ya29.${gen(B64URL, 120)}`),
    inContext(
      'Azure storage connection string',
      'DefaultEndpointsProtocol=https;AccountName=acmeprod;AccountKey=',
      `${gen(B64, 86)}==`,
      ';EndpointSuffix=core.windows.net',
    ),
    inContext(
      'Azure SAS signature',
      'https://acme.blob.core.windows.net/builds/a.zip?sv=2022-11-02&sp=r&se=2026-12-01&sig=',
      `${gen(ALNUM, 43)}%3D`,
    ),
    token('Azure AD client secret', `${gen(ALNUM, 3)}8Q~${gen(`${ALNUM}_~.-`, 34)}`),
    token('OpenAI key', `sk-${alnum(48)}`),
    token('OpenAI project key', `sk-proj-${gen(B64URL, 156)}`),
    token('OpenAI service account key', `sk-svcacct-${gen(B64URL, 120)}`),
    token('Anthropic API key', `sk-ant-api03-${gen(B64URL, 93)}AA`),
    token('Anthropic admin key', `sk-ant-admin01-${gen(B64URL, 93)}AA`),
    token('Groq key', `gsk_${alnum(52)}`),
    token('Replicate token', `r8_${alnum(37)}`),
    token('Perplexity key', `pplx-${alnum(48)}`),
    token('xAI key', `xai-${alnum(80)}`),
    token('Hugging Face token', `hf_${gen('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', 34)}`),
    token('Stripe live secret key', `sk_live_${alnum(99)}`),
    token('Stripe test secret key', `sk_test_${alnum(99)}`),
    token('Stripe restricted key', `rk_live_${alnum(99)}`),
    token('Stripe webhook secret', `whsec_${alnum(32)}`),
    token('Square access token', `EAAA${gen(B64URL, 60)}`),
    token('Shopify access token', `shpat_${hex(32)}`),
    token('Twilio API key', `SK${hex(32)}`),
    inContext('Twilio auth token', 'TWILIO_AUTH_TOKEN=', hex(32)),
    token('SendGrid key', `SG.${gen(B64URL, 22)}.${gen(B64URL, 43)}`),
    token('Mailgun key', `key-${hex(32)}`),
    token('Mailchimp key', `${hex(32)}-us14`),
    token('npm token', `npm_${alnum(36)}`),
    token('PyPI token', `pypi-AgEIcHlwaS5vcmc${gen(B64URL, 140)}`),
    token('RubyGems key', `rubygems_${hex(48)}`),
    token('Clojars token', `CLOJARS_${gen(LOWER_ALNUM, 60)}`),
    token('Docker Hub token', `dckr_pat_${gen(B64URL, 27)}`),
    token('DigitalOcean token', `dop_v1_${hex(64)}`),
    token('Vault service token', `hvs.${gen(B64URL, 90)}`),
    token('Vault batch token', `hvb.${gen(B64URL, 120)}`),
    token('Terraform Cloud token', `${alnum(14)}.atlasv1.${gen(B64URL, 67)}`),
    token('Pulumi token', `pul-${hex(40)}`),
    token('Heroku key', `HRKU-${gen(B64URL, 60)}`),
    token('Fly.io token', `fo1_${gen(B64URL, 43)}`),
    token('PlanetScale token', `pscale_tkn_${gen(B64URL, 43)}`),
    token('Supabase token', `sbp_${hex(40)}`),
    token('Netlify token', `nfp_${alnum(36)}`),
    token('Render key', `rnd_${alnum(32)}`),
    token('Tailscale key', `tskey-auth-${alnum(12)}-${alnum(33)}`),
    token('Cloudflare origin CA key', `v1.0-${hex(24)}-${hex(146)}`),
    token('Databricks token', `dapi${hex(32)}`),
    token('Doppler token', `dp.pt.${alnum(43)}`),
    token('Buildkite token', `bkua_${hex(40)}`),
    token('Linear key', `lin_api_${alnum(40)}`),
    token('Notion token', `secret_${alnum(43)}`),
    token('Notion token (ntn_)', `ntn_${gen(DIGITS, 11)}${alnum(35)}`),
    token('Airtable token', `pat${alnum(14)}.${hex(64)}`),
    token('Figma token', `figd_${gen(B64URL, 40)}`),
    token('Postman key', `PMAK-${hex(24)}-${hex(34)}`),
    token('ReadMe key', `rdme_${gen(LOWER_ALNUM, 70)}`),
    token('Prefect key', `pnu_${alnum(36)}`),
    token('New Relic user key', `NRAK-${gen(UPPER_ALNUM, 27)}`),
    token('Sentry org token', `sntrys_${sentryClaims}_${gen(B64URL, 43)}`),
    token('Grafana service account token', `glsa_${alnum(32)}_${hex(8)}`),
    token('Dynatrace token', `dt0c01.${gen(UPPER_ALNUM, 24)}.${gen(UPPER_ALNUM, 64)}`),
    token('age secret key', `AGE-SECRET-KEY-1${gen(BECH32, 58)}`),
    token('JSON Web Token', jwt),
    token('MoonMind user token', `mm_u_${gen(B64URL, 43)}`),
    token('MoonMind worker token', `mm_w_${gen(B64URL, 43)}`),
    {
      format: 'URL with a password',
      text: `git clone https://deploy:${urlPass}@git.example.com/acme/widgets.git`,
      secrets: [urlPass],
    },
    {
      format: 'PostgreSQL URL with a password',
      text: `postgres://app:${pgPass}@db.acme.io/app`,
      secrets: [pgPass],
    },
    {
      format: 'Basic credentials',
      text: `Authorization: Basic ${btoa(`deploy:${basicPass}`)}`,
      secrets: [btoa(`deploy:${basicPass}`)],
    },
    inContext('Bearer token', 'Authorization: Bearer ', gen(B64URL, 40)),
    inContext('assigned password', 'DB_PASSWORD=', `${alnum(20)}.${alnum(4)}`),
    ...keySamples(),
  ];
}
