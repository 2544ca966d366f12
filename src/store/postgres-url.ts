/**
 * PostgreSQL URLs in messages, without loading the driver (the embedded mode never needs it).
 */

/** The URL with its password hidden, for messages and logs. */
export function redactPostgresUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "***";
    return parsed.toString();
  } catch {
    return url.replace(/:[^:@/]*@/, ":***@");
  }
}
