using EdgeEnergy.Testing;

namespace EdgeEnergy.Soak;

/// <summary>
/// The database's own small filesystem, so that a full disk is a real one: a tmpfs the soak mounts on the run's data
/// folder (as root, or through <c>sudo -n</c>), which <see cref="Fill"/> fills with a file until the kernel answers
/// ENOSPC and <see cref="Free"/> empties again. SQLite then meets the same "database or disk is full" a Pi's card
/// gives it: the writes that need a new page fail, the ones that fit in pages the files already have go on.
/// </summary>
internal sealed class SoakDisk : IAsyncDisposable
{
    public const int Megabytes = 512;
    private readonly string _folder;
    private string Filler => Path.Combine(_folder, "filler");

    private SoakDisk(string folder) => _folder = folder;

    public static async Task<SoakDisk> MountAsync(string folder)
    {
        Directory.CreateDirectory(folder);
        var result = await AsRootAsync(["mount", "-t", "tmpfs", "-o", $"size={Megabytes}m,mode=0700", "tmpfs", folder]);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"The soak's full-disk fault needs a filesystem of its own for the database: mounting a {Megabytes} MB tmpfs at {folder} failed " +
                $"(exit {result.ExitCode}: {result.Stderr.Trim()}). Run the tests as root, or with sudo that asks no password.");
        }

        return new SoakDisk(folder);
    }

    /// <summary>Writes a file until no byte more fits; returns how many bytes it took.</summary>
    public long Fill()
    {
        long written = 0;
        using var stream = new FileStream(Filler, FileMode.Append, FileAccess.Write, FileShare.None, bufferSize: 0);
        var chunk = new byte[1 << 20];
        foreach (var size in new[] { 1 << 20, 4096, 512 })
        {
            try
            {
                while (true)
                {
                    stream.Write(chunk, 0, size);
                    written += size;
                }
            }
            catch (IOException)
            {
                // ENOSPC: on to smaller pieces, then done.
            }
        }

        return written;
    }

    public void Free() => File.Delete(Filler);

    public async ValueTask DisposeAsync() => await AsRootAsync(["umount", "-l", _folder]);

    private static Task<CliResult> AsRootAsync(string[] command) => Environment.IsPrivilegedProcess
        ? ProcessRunner.RunAsync(command[0], command[1..], timeout: TimeSpan.FromSeconds(30))
        : ProcessRunner.RunAsync("sudo", ["-n", .. command], timeout: TimeSpan.FromSeconds(30));
}
