namespace EdgeEnergy.Deploy.Tests.Infrastructure;

/// <summary>The two ELF header fields that say which machine a binary runs on.</summary>
public readonly record struct ElfHeader(bool Is64Bit, ushort Machine)
{
    public const ushort X86_64 = 0x3E;
    public const ushort AArch64 = 0xB7;

    /// <summary>The header of <paramref name="path"/>, or null when it is not an ELF file.</summary>
    public static ElfHeader? Read(string path)
    {
        Span<byte> header = stackalloc byte[20];
        using var stream = File.OpenRead(path);
        if (stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) < header.Length
            || header[0] != 0x7F || header[1] != (byte)'E' || header[2] != (byte)'L' || header[3] != (byte)'F')
        {
            return null;
        }

        // e_ident[EI_CLASS] 2 = 64-bit; e_machine at offset 18, little-endian (EI_DATA 1 on both our targets).
        return new ElfHeader(header[4] == 2, (ushort)(header[18] | (header[19] << 8)));
    }
}
