using System.Threading.Channels;
using EdgeEnergy.Adapters.Modbus.Transport;

namespace EdgeEnergy.Simulation;

/// <summary>Two connected streams that pace bytes like a serial line: a write of n characters becomes readable at the
/// far end n × (bits per character / baud) after the line is free. Used to measure our RTU stack against the time the
/// bytes need on the wire without a physical RS485 line.</summary>
public sealed class EmulatedSerialLine
{
    public EmulatedSerialLine(int baudRate, int bitsPerCharacter, TimeProvider timeProvider)
    {
        CharacterTime = TimeSpan.FromSeconds((double)bitsPerCharacter / baudRate);
        var aToB = Channel.CreateUnbounded<(long Due, byte[] Data)>();
        var bToA = Channel.CreateUnbounded<(long Due, byte[] Data)>();
        A = new End(aToB.Writer, bToA.Reader, CharacterTime, timeProvider);
        B = new End(bToA.Writer, aToB.Reader, CharacterTime, timeProvider);
    }

    public TimeSpan CharacterTime { get; }
    public Stream A { get; }
    public Stream B { get; }

    private sealed class End(ChannelWriter<(long, byte[])> outgoing, ChannelReader<(long, byte[])> incoming, TimeSpan characterTime, TimeProvider timeProvider) : Stream
    {
        private long _lineFreeAt;
        private byte[] _pending = [];
        private int _pendingOffset;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush() { }
        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var now = timeProvider.GetTimestamp();
            var due = PreciseDelay.After(timeProvider, Math.Max(now, _lineFreeAt), characterTime * buffer.Length);
            _lineFreeAt = due;
            outgoing.TryWrite((due, buffer.ToArray()));
            return ValueTask.CompletedTask;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_pendingOffset >= _pending.Length)
            {
                if (!await incoming.WaitToReadAsync(cancellationToken) || !incoming.TryRead(out var item))
                {
                    return 0; // the other end closed
                }

                var (due, data) = item;
                await PreciseDelay.UntilAsync(due, timeProvider, cancellationToken);

                _pending = data;
                _pendingOffset = 0;
            }

            var n = Math.Min(buffer.Length, _pending.Length - _pendingOffset);
            _pending.AsMemory(_pendingOffset, n).CopyTo(buffer);
            _pendingOffset += n;
            return n;
        }

        protected override void Dispose(bool disposing)
        {
            outgoing.TryComplete();
            base.Dispose(disposing);
        }
    }
}
