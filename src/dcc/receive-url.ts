/**
 * Which receive-response URLs the DCC may POST to, so that a user's URL cannot turn the DCC against
 * its own network (server-side request forgery).
 *
 * A receive URL is `http:` or `https:`, without user name or password, and its host must be a public
 * address: private, shared (carrier-grade NAT), loopback, link-local, unspecified, multicast and
 * reserved ranges, and the cloud metadata addresses, are refused unless the operator allows them
 * (an allow-list of host names, addresses and CIDR ranges; `loopback` allows 127.0.0.0/8 and ::1).
 * The same check runs when a URL is registered ({@link ReceiveUrlPolicy.check}) and on the addresses
 * a host name resolves to when the DCC connects ({@link ReceiveUrlPolicy.lookup}, the `lookup` of
 * node:http), so a name that resolves to a public address at registration and to a private one later
 * (DNS rebinding) is refused at delivery.
 */
import { promises as dns, type LookupAddress } from "node:dns";
import { BlockList, isIP, type LookupFunction } from "node:net";

/** A receive URL or an address the policy refuses; the message says why. */
export class ReceiveUrlRefused extends Error {
  override readonly name = "ReceiveUrlRefused";
  /** Node's network errors carry a code; this one is ours. */
  readonly code = "ERECEIVEURLREFUSED";
}

/** Resolves a host name to all its addresses (dns.lookup by default: /etc/hosts, then DNS). */
export type Resolver = (hostname: string) => Promise<readonly LookupAddress[]>;

export interface ReceiveUrlPolicyOptions {
  /**
   * What is allowed although not public: `loopback`, an address (`10.1.2.3`, `fd00::5`), a CIDR
   * range (`10.20.0.0/16`, `fd00:1::/48`) or a host name (`receiver.internal`: any address it
   * resolves to).
   */
  readonly allow?: readonly string[];
  readonly resolve?: Resolver;
}

type Family = "ipv4" | "ipv6";

/** Address ranges refused unless allowed, with the reason given; the more specific ones first. */
const REFUSED_RANGES: ReadonlyArray<readonly [string, number, Family, string]> = [
  ["169.254.169.254", 32, "ipv4", "a cloud metadata address"],
  ["100.100.100.200", 32, "ipv4", "a cloud metadata address"],
  ["fd00:ec2::254", 128, "ipv6", "a cloud metadata address"],
  ["0.0.0.0", 8, "ipv4", "an unspecified ('this network') address"],
  ["10.0.0.0", 8, "ipv4", "a private address"],
  ["100.64.0.0", 10, "ipv4", "a shared (carrier-grade NAT) address"],
  ["127.0.0.0", 8, "ipv4", "a loopback address"],
  ["169.254.0.0", 16, "ipv4", "a link-local address"],
  ["172.16.0.0", 12, "ipv4", "a private address"],
  ["192.0.0.0", 24, "ipv4", "a reserved (IETF protocol) address"],
  ["192.168.0.0", 16, "ipv4", "a private address"],
  ["198.18.0.0", 15, "ipv4", "a reserved (benchmarking) address"],
  ["224.0.0.0", 4, "ipv4", "a multicast address"],
  ["240.0.0.0", 4, "ipv4", "a reserved or broadcast address"],
  ["::", 128, "ipv6", "an unspecified address"],
  ["::1", 128, "ipv6", "a loopback address"],
  ["::ffff:0:0", 96, "ipv6", "an IPv4-mapped address"],
  ["fc00::", 7, "ipv6", "a private (unique local) address"],
  ["fe80::", 10, "ipv6", "a link-local address"],
  ["ff00::", 8, "ipv6", "a multicast address"],
];

const REFUSED = REFUSED_RANGES.map(([network, prefix, family, reason]) => {
  const list = new BlockList();
  list.addSubnet(network, prefix, family);
  return { list, family, reason };
});

const HOST_NAME =
  /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\.?$/;

/** The family node:net's BlockList wants for an address, or undefined when it is not one. */
function familyOf(address: string): Family | undefined {
  const v = isIP(address);
  return v === 4 ? "ipv4" : v === 6 ? "ipv6" : undefined;
}

/** A URL's host without IPv6 brackets, lowercase. */
function bareHost(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, "$1").toLowerCase();
}

const defaultResolver: Resolver = (hostname) => dns.lookup(hostname, { all: true, verbatim: true });

export class ReceiveUrlPolicy {
  private readonly allowedRanges = new BlockList();
  private readonly allowedHosts = new Set<string>();
  private readonly resolve: Resolver;
  /** The allow-list as given (for logs and the admin API). */
  readonly allow: readonly string[];

  /** Throws RangeError naming an allow-list entry that is neither a range, an address nor a name. */
  constructor(options: ReceiveUrlPolicyOptions = {}) {
    this.allow = [...(options.allow ?? [])];
    this.resolve = options.resolve ?? defaultResolver;
    for (const raw of this.allow) {
      const entry = raw.trim().toLowerCase();
      if (entry === "loopback") {
        this.allowedRanges.addSubnet("127.0.0.0", 8, "ipv4");
        this.allowedRanges.addAddress("::1", "ipv6");
        continue;
      }
      const slash = entry.indexOf("/");
      const address = slash < 0 ? entry : entry.slice(0, slash);
      const family = familyOf(address);
      if (family !== undefined) {
        const max = family === "ipv4" ? 32 : 128;
        const prefix = slash < 0 ? max : Number(entry.slice(slash + 1));
        if (
          !Number.isInteger(prefix) ||
          prefix < 0 ||
          prefix > max ||
          (slash >= 0 && !/^\d+$/.test(entry.slice(slash + 1)))
        ) {
          throw new RangeError(`receive-URL allow-list: '${raw}' has a bad prefix length`);
        }
        this.allowedRanges.addSubnet(address, prefix, family);
      } else if (slash < 0 && HOST_NAME.test(entry)) {
        this.allowedHosts.add(entry.replace(/\.$/, ""));
      } else {
        throw new RangeError(
          `receive-URL allow-list: '${raw}' is not loopback, an address, a CIDR range or a host name`,
        );
      }
    }
  }

  /** Why the DCC may not connect to `address` (an IP address), or null when it may. */
  refusal(address: string): string | null {
    const family = familyOf(address);
    if (family === undefined) return `${address} is not an IP address`;
    if (this.allowedRanges.check(address, family)) return null;
    for (const range of REFUSED) {
      if (range.family === family && range.list.check(address, family))
        return `${address} is ${range.reason}`;
    }
    return null;
  }

  /** Checks a URL's form (http/https, a host, no credentials); returns it parsed, or why not. */
  parse(
    text: string,
  ): { readonly ok: true; readonly url: URL } | { readonly ok: false; readonly reason: string } {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return { ok: false, reason: "not a URL" };
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      return { ok: false, reason: `${url.protocol} is not http: or https:` };
    }
    if (url.username !== "" || url.password !== "") {
      return { ok: false, reason: "a receive URL carries no user name or password" };
    }
    if (url.hostname === "") return { ok: false, reason: "no host" };
    return { ok: true, url };
  }

  /**
   * Whether the DCC may connect to `url`'s host: an address is checked as it is; a host name on the
   * allow-list passes; any other name is resolved and every address it resolves to must pass.
   * Returns why not, or null.
   */
  async check(text: string): Promise<string | null> {
    const parsed = this.parse(text);
    if (!parsed.ok) return parsed.reason;
    const host = bareHost(parsed.url);
    if (familyOf(host) !== undefined) return this.refusal(host);
    if (this.allowedHosts.has(host)) return null;
    let addresses: readonly LookupAddress[];
    try {
      addresses = await this.resolve(host);
    } catch (error) {
      return `${host} cannot be resolved (${error instanceof Error ? error.message : String(error)})`;
    }
    return this.refusalOfAll(host, addresses);
  }

  /** Null when `host` resolved to at least one address and none is refused, else why. */
  private refusalOfAll(host: string, addresses: readonly LookupAddress[]): string | null {
    if (addresses.length === 0) return `${host} resolves to no address`;
    for (const a of addresses) {
      const reason = this.refusal(a.address);
      if (reason !== null) return `${host} resolves to ${reason}`;
    }
    return null;
  }

  /**
   * The `lookup` for node:http and node:net: resolves like dns.lookup, then refuses the connection
   * when any address the name resolves to is refused (checked at connect time, so DNS rebinding
   * after registration does not get through). Node does not call it for a literal address: the
   * poster checks those itself with {@link refusal}.
   */
  readonly lookup: LookupFunction = (hostname, options, callback) => {
    const host = hostname.toLowerCase().replace(/\.$/, "");
    this.resolve(host).then(
      (all) => {
        const family = options.family === "IPv4" ? 4 : options.family === "IPv6" ? 6 : options.family;
        const wanted = family === 4 || family === 6 ? all.filter((a) => a.family === family) : all;
        const first = wanted[0];
        if (first === undefined) {
          // No address of the family asked for: answered as dns.lookup does, never thrown here
          // (a throw in this handler would be an unhandled rejection, and the POST would hang).
          const none = Object.assign(new Error(`${host} has no IPv${family} address`), { code: "ENOTFOUND" });
          callback(none, "");
          return;
        }
        const reason = this.allowedHosts.has(host) ? null : this.refusalOfAll(host, wanted);
        if (reason !== null) callback(new ReceiveUrlRefused(reason), "");
        else if (options.all === true) callback(null, [...wanted]);
        else callback(null, first.address, first.family);
      },
      (error: unknown) => callback(error instanceof Error ? error : new Error(String(error)), ""),
    );
  };
}

/** The host part of a URL as node:http connects to it (brackets removed), for the literal-address check. */
export function connectHost(url: URL): string {
  return bareHost(url);
}
