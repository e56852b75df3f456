using System.Runtime.Versioning;

// What these tests check only exists on Linux: systemd, qemu-user, docker-compose, ELF binaries.
[assembly: SupportedOSPlatform("linux")]
