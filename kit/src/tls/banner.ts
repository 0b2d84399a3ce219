// What the operator reads at start: where to open the app, and how IT makes officials' PCs trust it.

export function tlsBanner(o: { service: string; httpsUrl: string; plainUrl?: string; caFile?: string }): string[] {
  const lines = [`${o.service}: open ${o.httpsUrl}/ from other PCs of the network (HTTPS)`];
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
