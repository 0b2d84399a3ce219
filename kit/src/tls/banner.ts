// What the operator reads at start: where to open the app, and how IT makes officials' PCs trust it.

export function tlsBanner(o: { service: string; httpsUrl: string; plainUrl?: string; caFile?: string; forBrowsers?: boolean }): string[] {
  const lines = [
    o.forBrowsers === false
      ? `${o.service}: serving ${o.httpsUrl}/ (HTTPS) for the other services; officials use sfu-server's address`
      : `${o.service}: open ${o.httpsUrl}/ from other PCs of the network (HTTPS)`,
  ];
  if (o.plainUrl) lines.push(`${o.service}: on this machine only, ${o.plainUrl}/ also works (plain HTTP on loopback)`);
  if (!o.caFile) return lines;
  return [
    ...lines,
    `${o.service}: the certificate is issued by the internal CA ${o.caFile}; give that file (public) to IT, who install it as trusted:`,
    '  Windows (group policy): Computer Configuration > Windows Settings > Security Settings > Public Key Policies >',
    '    Trusted Root Certification Authorities > Import (ca.pem)',
    '  Linux desktops: cp ca.pem /usr/local/share/ca-certificates/lienthong-ca.crt && update-ca-certificates',
    '  Chromium/Firefox (NSS): certutil -d sql:$HOME/.pki/nssdb -A -t "C,," -n LienThong -i ca.pem',
  ];
}
