// Debian bookworm packages the project needs. `base` is enough for `npm start`;
// `test` adds the real peers the test suite drives.
export const APT_PACKAGES = {
  base: [
    // mediasoup worker: build tools and the system libraries it links against
    'g++',
    'make',
    'patch',
    'pkg-config',
    'ninja-build',
    'python3',
    'libuv1-dev',
    'libssl-dev',
    'libsrtp2-dev',
    'libabsl-dev',
    'libflatbuffers-dev',
    'flatbuffers-compiler',
    'libusrsctp-dev',
    'liburing-dev',
    // nms: SNMP tools, simulated demo agents, ICMP probes
    'snmp',
    'snmpd',
    'snmptrapd',
    'snmpsim',
    'fping',
    'iproute2',
    'iputils-ping',
    // TURN relay for sites behind firewalls (supervised by sfu-server)
    'coturn',
    // meeting recordings and room-system calls: GStreamer composites, mixes and (re-)encodes (x264, AAC, Opus,
    // G.711, G.722); ffprobe measures the files
    'gstreamer1.0-tools',
    'gstreamer1.0-plugins-base',
    'gstreamer1.0-plugins-good',
    'gstreamer1.0-plugins-bad',
    'gstreamer1.0-plugins-ugly',
    'gstreamer1.0-libav',
    'ffmpeg',
    // cascade: servers of one meeting coordinate over NATS (hub at the province, leaf nodes at districts)
    'nats-server',
  ],
  test: [
    'chromium',
    'fonts-noto-core',
    'fonts-dejavu-core',
    'prometheus',
    'prometheus-alertmanager',
    'prometheus-snmp-exporter',
    'sip-tester',
    // a room system (SIP codec) with H.264 through libavcodec
    'baresip',
    'baresip-ffmpeg',
    // firewalled-site tests (nft in namespaces) and trusting the test CA in Chromium (certutil)
    'nftables',
    'libnss3-tools',
    // infra/production checks: systemd-analyze verify, logrotate, test certificates
    'systemd',
    'logrotate',
    'openssl',
  ],
};
// meson >= 1.1 is only in bookworm-backports (bookworm has 1.0.1).
export const APT_BACKPORTS = ['meson'];
