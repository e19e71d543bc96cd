import { createHash, timingSafeEqual } from 'node:crypto';
import { SecretReferenceError, secretResolver } from '../../activities/secrets/references.ts';
import type { Config } from '../../contracts/config.ts';
import type { ServiceProfile } from '../../contracts/service-profiles.ts';
import { HttpError } from '../errors.ts';

/**
 * A protected service's approval token, checked on the API: the profile names a secret reference, resolved
 * here at the last moment and compared in constant time. Neither value is logged, stored or sent to the run
 * (the workflow only learns `tokenVerified`).
 */
export async function approvalTokenMatches(
  config: Config,
  profile: Pick<ServiceProfile, 'approvalToken'>,
  presented: string,
): Promise<boolean> {
  if (!profile.approvalToken) return false;
  let expected: string;
  try {
    expected = await secretResolver(process.env, {
      addr: config.MOONMIND_VAULT_ADDR,
      token: config.MOONMIND_VAULT_TOKEN,
      tokenFile: config.MOONMIND_VAULT_TOKEN_FILE,
      namespace: config.MOONMIND_VAULT_NAMESPACE,
    }).resolve(profile.approvalToken);
  } catch (err) {
    // The reference is the operator's configuration; its message names the reference, never a value.
    if (err instanceof SecretReferenceError)
      throw new HttpError('unavailable', "the service's approval token cannot be resolved on the API");
    throw err;
  }
  // Digests have one length, so the comparison takes the same time whatever was presented.
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(presented), digest(expected));
}
