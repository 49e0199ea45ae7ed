/**
 * Client source addresses spread over 127.0.0.2..127.0.0.<n+1>: one loopback address has only
 * ~28 000 ephemeral ports (net.ipv4.ip_local_port_range) towards one server port, so 20 000+
 * connections need several. Linux routes all of 127.0.0.0/8 to lo without configuration.
 */
export function sourceAddress(index: number, spread = 50): string {
  return `127.0.0.${2 + (index % spread)}`;
}
