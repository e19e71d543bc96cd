/**
 * Credential formats, each keyed on its shape: a vendor prefix, a fixed length and alphabet, or (for formats
 * without a prefix) the key it is assigned to. A rule's whole match is the secret; context is matched with
 * lookarounds so redaction keeps it. Rules whose shape alone is too loose add a `check` (randomness, or a
 * decodable user:password) so prose and code are left alone.
 */
export interface CredentialRule {
  name: string;
  pattern: RegExp;
  check?: (match: string) => boolean;
}

// Token boundaries: a token is not the middle of a longer word or identifier.
const B = '(?<![A-Za-z0-9_-])';
const E = '(?![A-Za-z0-9_-])';
const rule = (
  name: string,
  source: string,
  check?: CredentialRule['check'],
  flags = 'g',
): CredentialRule => ({
  name,
  pattern: new RegExp(source, flags),
  check,
});
/**
 * `key = value`, `key: "value"`, `"key": "value"`, `KEY=value`: the value's left context. Quotes may come
 * escaped (`\"key\": \"value\"`) when the assignment sits inside a JSON string.
 */
const assigned = (keys: string) => `(?<=(?:${keys})\\\\*["']?\\s*[:=]\\s*\\\\*["']?)`;

const hexId = /^(?:[0-9a-f]{40}|[0-9a-f]{64}|[0-9A-F]{40}|[0-9A-F]{64})$/;
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function entropy(text: string): number {
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) bits -= (n / text.length) * Math.log2(n / text.length);
  return bits;
}

/**
 * Random-looking: long, letters and digits mixed, high Shannon entropy; not a git SHA, a SHA-256 or a UUID
 * (ids, not secrets), not a template placeholder.
 */
function looksRandom(value: string, minLength = 16): boolean {
  if (value.length < minLength || hexId.test(value) || uuid.test(value)) return false;
  if (/[${}<>*]/.test(value)) return false;
  if (!/[0-9]/.test(value) || !/[A-Za-z]/.test(value)) return false;
  return entropy(value) >= 3.5;
}

/** Basic credentials: base64 of printable `user:password`. */
function isBasicCredential(value: string): boolean {
  let decoded: string;
  try {
    decoded = atob(value);
  } catch {
    return false;
  }
  return /^[\x21-\x7e]+:[\x20-\x7e]+$/.test(decoded) && !/^[^:]*:(?:\*+|x+|password)$/i.test(decoded);
}

/** A password in a URL that is a placeholder rather than a secret (docs and examples use these). */
export function isPlaceholderPassword(password: string): boolean {
  return (
    /^(?:pass(?:word)?|passwd|pwd|secret|changeme|example|token|x+|\*+|\.+)$/i.test(password) ||
    /^(?:\$[A-Za-z_][A-Za-z0-9_]*|\$\{[^}]*\}|<[^>]*>|\{\{[^}]*\}\}|\[[^\]]*\]|%[sv])$/i.test(password)
  );
}

export const pemBegin = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/;
export const pemEnd = /-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/;

export const credentialRules: CredentialRule[] = [
  // Private keys on one line (a whole file, JSON-escaped newlines, or a block cut off at the end).
  rule('private key block', `${pemBegin.source}[\\s\\S]*?(?:${pemEnd.source}|$)`),
  rule('age secret key', 'AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}'),

  rule('GitHub token', `${B}gh[pousr]_[A-Za-z0-9]{36,251}${E}`),
  rule('GitHub fine-grained token', `${B}github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}${E}`),
  rule(
    'GitLab token',
    `${B}gl(?:pat|dt|rt|ptt|cbt|imt|soat|ffct|ft|oas|agent)-[A-Za-z0-9_-]{20,}(?:\\.[0-9a-z]{2}\\.[0-9a-z]{9})?${E}`,
  ),
  rule('GitLab runner registration token', `${B}GR1348941[A-Za-z0-9_-]{20}${E}`),
  rule('Bitbucket app password', `${B}ATBB[A-Za-z0-9]{28,}${E}`),
  rule('Atlassian API token', `${B}ATATT[A-Za-z0-9_=-]{50,}${E}`),

  rule('Slack token', `${B}xox[abeoprs]-[0-9]{6,}-[A-Za-z0-9-]{10,}${E}`),
  rule('Slack app token', `${B}xapp-\\d-[A-Za-z0-9]{6,}-\\d{6,}-[A-Za-z0-9]{20,}${E}`),
  rule('Slack config token', `${B}xoxe(?:\\.xox[bp])?-\\d-[A-Za-z0-9]{60,}${E}`),
  rule('Slack webhook', '(?<=hooks\\.slack\\.com/)(?:services|workflows|triggers)/[A-Za-z0-9_/+-]{20,}'),
  rule('Discord webhook', '(?<=discord(?:app)?\\.com/api/webhooks/\\d{6,}/)[A-Za-z0-9_-]{60,}'),
  rule(
    'Discord bot token',
    `${B}[MNO][A-Za-z0-9_-]{23,25}\\.[A-Za-z0-9_-]{6}\\.[A-Za-z0-9_-]{27,38}${E}`,
    (m) => looksRandom(m),
  ),
  rule('Telegram bot token', '(?<![0-9])[0-9]{8,10}:AA[A-Za-z0-9_-]{33}(?![A-Za-z0-9_-])'),

  rule('AWS access key id', `${B}(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}${E}`),
  rule(
    'AWS secret access key',
    `${assigned('aws_?secret_?access_?key|aws_?secret_?key|secret_?access_?key')}[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])`,
    (m) => looksRandom(m),
    'gi',
  ),
  rule('Alibaba access key id', `${B}LTAI[A-Za-z0-9]{12,20}${E}`, (m) => looksRandom(m)),
  rule('Google API key', `${B}AIza[0-9A-Za-z_-]{35}${E}`),
  rule('Google OAuth client secret', `${B}GOCSPX-[A-Za-z0-9_-]{28}${E}`),
  rule('Google OAuth access token', `${B}ya29\\.[A-Za-z0-9_-]{30,}${E}`),
  rule('GCP service account key id', `${assigned('"private_key_id')}[0-9a-f]{40}(?![0-9a-f])`),
  rule(
    'Azure storage or service bus key',
    '(?<=(?:AccountKey|SharedAccessKey)=)[A-Za-z0-9+/]{30,}={0,2}',
    undefined,
    'gi',
  ),
  rule('Azure SAS signature', '(?<=[?&;]sig=)[A-Za-z0-9%+/=]{30,}'),
  rule(
    'Azure AD client secret',
    '(?<![A-Za-z0-9_~.-])[A-Za-z0-9_~.-]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34}(?![A-Za-z0-9_~.-])',
  ),

  rule('Anthropic key', `${B}sk-ant-(?:api|admin|oat|ort)\\d{2}-[A-Za-z0-9_-]{80,}${E}`),
  // The typed prefixes are distinctive on their own; a bare `sk-` needs a random-looking rest.
  rule('OpenAI project or service key', `${B}sk-(?:proj|svcacct|admin|None)-[A-Za-z0-9_-]{20,}${E}`),
  rule('OpenAI key', `${B}sk-[A-Za-z0-9_-]{20,}${E}`, (m) => looksRandom(m, 20)),
  rule('Groq key', `${B}gsk_[A-Za-z0-9]{52}${E}`),
  rule('Replicate token', `${B}r8_[A-Za-z0-9]{37}${E}`),
  rule('Perplexity key', `${B}pplx-[A-Za-z0-9]{48}${E}`),
  rule('xAI key', `${B}xai-[A-Za-z0-9]{80}${E}`),
  rule(
    'Hugging Face token',
    `${B}(?:hf|api_org)_[A-Za-z0-9]{34}${E}`,
    (m) => /[a-z]/.test(m) && /[A-Z]/.test(m),
  ),

  rule('Stripe secret key', `${B}(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{24,}${E}`),
  rule('Stripe webhook secret', `${B}whsec_[A-Za-z0-9+/=]{32,}${E}`),
  rule('Square token', `${B}(?:sq0atp-[A-Za-z0-9_-]{22}|sq0csp-[A-Za-z0-9_-]{43}|EAAA[A-Za-z0-9_-]{60})${E}`),
  rule('Shopify token', `${B}shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}${E}`),

  rule('Twilio API key', `${B}SK[0-9a-fA-F]{32}${E}`),
  rule(
    'Twilio auth token',
    `${assigned('auth_?token|twilio_?token')}[0-9a-f]{32}(?![0-9a-zA-Z])`,
    undefined,
    'gi',
  ),
  rule('SendGrid key', `${B}SG\\.[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}${E}`),
  rule('Mailgun key', `${B}(?:key-[0-9a-f]{32}|[0-9a-f]{32}-[0-9a-f]{8}-[0-9a-f]{8})${E}`),
  rule('Mailchimp key', `${B}[0-9a-f]{32}-us[0-9]{1,2}${E}`),

  rule('npm token', `${B}npm_[A-Za-z0-9]{36}${E}`),
  rule('PyPI token', `${B}pypi-(?:AgEIcHlwaS5vcmc|AgENdGVzdC5weXBpLm9yZw)[A-Za-z0-9_-]{50,}${E}`),
  rule('RubyGems key', `${B}rubygems_[a-f0-9]{48}${E}`),
  rule('Clojars token', `${B}CLOJARS_[a-z0-9]{60}${E}`),
  rule('Docker Hub token', `${B}dckr_(?:pat|oat)_[A-Za-z0-9_-]{27,}${E}`),

  rule('DigitalOcean token', `${B}do[por]_v1_[a-f0-9]{64}${E}`),
  rule('Vault token', `${B}hv[sbr]\\.[A-Za-z0-9_-]{24,}${E}`),
  rule('Terraform Cloud token', `${B}[A-Za-z0-9]{14}\\.atlasv1\\.[A-Za-z0-9_=-]{60,}${E}`),
  rule('Pulumi token', `${B}pul-[a-f0-9]{40}${E}`),
  rule('Heroku key', `${B}HRKU-[A-Za-z0-9_-]{60}${E}`),
  rule('Fly.io token', `${B}fo1_[A-Za-z0-9_-]{43}${E}`),
  rule('PlanetScale token', `${B}pscale_(?:tkn|pw|oauth)_[A-Za-z0-9_.-]{32,64}${E}`),
  rule('Supabase token', `${B}sbp_[a-f0-9]{40}${E}`),
  rule('Netlify token', `${B}nfp_[A-Za-z0-9]{36}${E}`),
  rule('Render key', `${B}rnd_[A-Za-z0-9]{32}${E}`),
  rule('Tailscale key', `${B}tskey-(?:api|auth|client|webhook)-[A-Za-z0-9]{10,}-[A-Za-z0-9]{20,}${E}`),
  rule('Cloudflare origin CA key', `${B}v1\\.0-[a-f0-9]{24}-[a-f0-9]{146}${E}`),
  rule('Databricks token', `${B}dapi[a-f0-9]{32}(?:-\\d)?${E}`),
  rule('Doppler token', `${B}dp\\.(?:pt|st|sa|ct|scim|audit)\\.[A-Za-z0-9]{40,44}${E}`),
  rule('Buildkite token', `${B}bkua_[a-f0-9]{40}${E}`),

  rule('Linear key', `${B}(?:lin_api_[A-Za-z0-9]{40}|lin_oauth_[a-f0-9]{64})${E}`),
  rule('Notion token', `${B}(?:secret_[A-Za-z0-9]{43}|ntn_[0-9]{11}[A-Za-z0-9]{35})${E}`, (m) =>
    looksRandom(m),
  ),
  rule('Airtable token', `${B}pat[A-Za-z0-9]{14}\\.[a-f0-9]{64}${E}`),
  rule('Figma token', `${B}figd_[A-Za-z0-9_-]{40}${E}`),
  rule('Postman key', `${B}PMAK-[a-f0-9]{24}-[a-f0-9]{34}${E}`),
  rule('ReadMe key', `${B}rdme_[a-z0-9]{70}${E}`),
  rule('Prefect key', `${B}pnu_[A-Za-z0-9]{36}${E}`),

  rule('New Relic key', `${B}(?:NRAK-[A-Z0-9]{27}|NRII-[A-Za-z0-9_-]{32})${E}`),
  rule('Sentry token', `${B}(?:sntrys_[A-Za-z0-9+/=_-]{40,}|sntryu_[a-f0-9]{64})${E}`),
  rule('Grafana token', `${B}(?:glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}|glc_[A-Za-z0-9+/]{32,}={0,2})${E}`),
  rule('Dynatrace token', `${B}dt0c01\\.[A-Z0-9]{24}\\.[A-Z0-9]{64}${E}`),

  rule('JSON Web Token', `${B}eyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}${E}`),
  rule('MoonMind token', `${B}mm_[uw]_[A-Za-z0-9_-]{20,}${E}`),
  rule(
    'Basic credentials',
    '(?<=\\bBasic\\s+)[A-Za-z0-9+/]{8,}={0,2}(?![A-Za-z0-9+/=])',
    isBasicCredential,
    'gi',
  ),
  rule(
    'Bearer or token credential',
    '(?<=\\b(?:Bearer|token)\\s+)[A-Za-z0-9._~+/-]{20,}=*(?![A-Za-z0-9._~+/=-])',
    (m) => looksRandom(m, 20),
    'gi',
  ),
  rule(
    'assigned secret',
    `${assigned('password|passwd|secret|api_?key|apikey|access_?token|auth_?token|client_?secret|secret_?key|private_?key')}[A-Za-z0-9_~+/.=-]{16,}`,
    (m) => looksRandom(m),
    'gi',
  ),
];

/**
 * `scheme://user:password@host`: the user and password are the secret. URLs with a user only
 * (`ssh://git@host/x`) and placeholder passwords (`user:password@`, `${VAR}`) are not credentials.
 */
export const credentialUrl = /(?<=\b[a-z][a-z0-9+.-]*:\/\/)([^\s/:@]*):([^\s/@]+)@/gi;
