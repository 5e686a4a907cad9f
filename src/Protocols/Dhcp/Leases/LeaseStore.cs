using NetbootPi.Protocols.Files;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Protocols.Dhcp.Leases;

/// <summary>
/// Durable lease records under a state directory: an append-only journal of fixed-size, CRC-checked records
/// plus a snapshot it is compacted into. Appends are queued and written by one flusher thread in batches,
/// one fsync per batch (group commit): while one batch is being synced the next one fills, so the sync rate
/// stays bounded however fast requests arrive. A reply that promises a lease waits for
/// <see cref="WhenDurableAsync"/> on its ticket.
/// </summary>
public sealed class LeaseStore : ILeaseJournal, IDisposable
{
    public const string SnapshotFileName = "dhcp-leases.snapshot";
    public const string JournalFileName = "dhcp-leases.journal";
    private const string TempSuffix = ".tmp";
    // Version 2 is written when a record carries a host name, so that an agent from before names refuses the
    // snapshot with its "not a lease snapshot" error instead of misreading it; version 1 files stay as they were.
    private static ReadOnlySpan<byte> SnapshotHeader => "NBPILSN1"u8;
    private static ReadOnlySpan<byte> NamedSnapshotHeader => "NBPILSN2"u8;

    private readonly string _directory;
    private readonly LeaseStoreOptions _options;
    private readonly FileStream _journal;
    private readonly Dictionary<Ipv4Address, DhcpLease> _state;
    private readonly object _gate = new(); // a Monitor: the flusher waits on it for appends
    private readonly object _durableGate = new(); // a Monitor: synchronous waiters wait on it for batches
    private readonly Thread _flusher;
    private List<DhcpLease> _pending = [];
    private List<DhcpLease> _spare = [];
    private TaskCompletionSource _pendingDone = NewBatch();
    private TaskCompletionSource _inflightDone = NewBatch();
    private long _lastTicket;
    private long _inflightMax;
    private long _durable;
    private long _journalRecords;
    private Exception? _fault;
    private bool _stopping;
    private bool _flusherIdle;
    private int _lastBatchSize;
    private byte[] _writeBuffer = new byte[LeaseRecordCodec.MaxSize * 64];

    private LeaseStore(string directory, LeaseStoreOptions options, FileStream journal,
        Dictionary<Ipv4Address, DhcpLease> state, long journalRecords, LeaseRecoveryReport report)
    {
        _directory = directory;
        _options = options;
        _journal = journal;
        _state = state;
        _journalRecords = journalRecords;
        Recovery = report;
        Recovered = [.. state.Values];
        _flusher = new Thread(FlushLoop) { IsBackground = true, Name = "dhcp-lease-journal" };
        _flusher.Start();
    }

    /// <summary>What recovery found when the store was opened.</summary>
    public LeaseRecoveryReport Recovery { get; }

    /// <summary>The leases recovered at open, one per address: the engine starts from these.</summary>
    public IReadOnlyList<DhcpLease> Recovered { get; }

    /// <summary>The highest ticket known durable.</summary>
    public long DurableTicket
    {
        get { lock (_gate) return _durable; }
    }

    /// <summary>How many compactions completed; for status and tests.</summary>
    public int Compactions { get; private set; }

    /// <summary>The last compaction failure (the journal stays authoritative when compaction fails).</summary>
    public Exception? LastCompactionError { get; private set; }

    /// <summary>
    /// Opens (creating if needed) the store in <paramref name="directory"/>: reads the snapshot, replays the
    /// journal up to its first damaged record, truncates what follows (a torn last write) and starts the flusher.
    /// </summary>
    public static LeaseStore Open(string directory, LeaseStoreOptions? options = null)
    {
        Directory.CreateDirectory(directory);
        var journalPath = Path.Combine(directory, JournalFileName);
        File.Delete(Path.Combine(directory, SnapshotFileName + TempSuffix)); // an interrupted compaction
        var created = !File.Exists(journalPath);
        var (state, report, validLength, journalRecords) = Load(directory);
        var journal = new FileStream(journalPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0);
        if (journal.Length != validLength)
        {
            journal.SetLength(validLength);
            journal.Flush(flushToDisk: true);
        }
        journal.Position = validLength;
        if (created) DirectorySync.Flush(directory);
        return new LeaseStore(directory, options ?? new LeaseStoreOptions(), journal, state, journalRecords, report);
    }

    /// <summary>Reads the leases without opening the store for writing or repairing anything (for listing).</summary>
    public static (IReadOnlyList<DhcpLease> Leases, LeaseRecoveryReport Report) Read(string directory)
    {
        if (!Directory.Exists(directory)) return ([], new LeaseRecoveryReport(0, 0, 0, 0, -1, 0));
        var (state, report, _, _) = Load(directory);
        return ([.. state.Values.OrderBy(l => l.Address)], report);
    }

    public long Append(in DhcpLease lease)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_stopping, this);
            _pending.Add(lease);
            _lastTicket++;
            if (_flusherIdle) Monitor.Pulse(_gate);
            return _lastTicket;
        }
    }

    public ValueTask WhenDurableAsync(long ticket, CancellationToken cancellationToken = default)
    {
        Task task;
        lock (_gate)
        {
            if (ticket <= _durable) return ValueTask.CompletedTask;
            if (ticket > _lastTicket) throw new ArgumentOutOfRangeException(nameof(ticket), $"ticket {ticket} was never issued");
            if (_fault is not null) return ValueTask.FromException(new IOException("the lease journal cannot be written", _fault));
            task = ticket <= _inflightMax ? _inflightDone.Task : _pendingDone.Task;
        }
        return new ValueTask(cancellationToken.CanBeCanceled ? task.WaitAsync(cancellationToken) : task);
    }

    public void WaitUntilDurable(long ticket, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (ticket > _lastTicket) throw new ArgumentOutOfRangeException(nameof(ticket), $"ticket {ticket} was never issued");
        }
        lock (_durableGate)
        {
            while (true)
            {
                long durable;
                Exception? fault;
                lock (_gate)
                {
                    durable = _durable;
                    fault = _fault;
                }
                if (ticket <= durable) return;
                if (fault is not null) throw new IOException("the lease journal cannot be written", fault);
                cancellationToken.ThrowIfCancellationRequested();
                // The flusher pulses after every batch; the timeout only bounds how late a cancellation is seen.
                Monitor.Wait(_durableGate, TimeSpan.FromMilliseconds(100));
            }
        }
    }

    private void SignalDurable()
    {
        lock (_durableGate) Monitor.PulseAll(_durableGate);
    }

    /// <summary>Writes what is queued, stops the flusher and closes the journal.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_stopping) return;
            _stopping = true;
            Monitor.Pulse(_gate);
        }
        _flusher.Join();
        _journal.Dispose();
    }

    private void FlushLoop()
    {
        while (true)
        {
            List<DhcpLease> batch;
            TaskCompletionSource done;
            long max;
            lock (_gate)
            {
                while (_pending.Count == 0 && !_stopping)
                {
                    _flusherIdle = true;
                    Monitor.Wait(_gate);
                }
                _flusherIdle = false;
                if (_pending.Count == 0) return;
            }
            if (_lastBatchSize > 1 && _options.CommitDelay > TimeSpan.Zero)
            {
                bool wait;
                lock (_gate) wait = _pending.Count < _options.MaxBatch && !_stopping;
                if (wait) Thread.Sleep(_options.CommitDelay);
            }
            lock (_gate)
            {
                batch = _pending;
                _pending = _spare;
                done = _inflightDone = _pendingDone;
                _pendingDone = NewBatch();
                max = _inflightMax = _lastTicket;
            }
            try
            {
                WriteBatch(batch);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Nothing after a failed write can be promised: fail this batch and every later one.
                lock (_gate)
                {
                    _fault = e;
                    _pendingDone.TrySetException(e);
                }
                done.TrySetException(e);
                SignalDurable();
                FailRemaining(e);
                return;
            }
            foreach (var lease in batch) _state[lease.Address] = lease;
            _journalRecords += batch.Count;
            _lastBatchSize = batch.Count;
            batch.Clear();
            lock (_gate)
            {
                _durable = max;
                _spare = batch;
            }
            done.TrySetResult();
            SignalDurable();
            if (_journalRecords >= _options.CompactAfterRecords && _journalRecords >= 2L * _state.Count) Compact();
        }
    }

    private void FailRemaining(Exception e)
    {
        while (true)
        {
            lock (_gate)
            {
                _pending.Clear();
                _pendingDone.TrySetException(e);
                if (_stopping) return;
                _flusherIdle = true;
                Monitor.Wait(_gate);
            }
        }
    }

    private void WriteBatch(List<DhcpLease> batch)
    {
        var most = batch.Count * LeaseRecordCodec.MaxSize;
        if (_writeBuffer.Length < most) _writeBuffer = new byte[Math.Max(most, _writeBuffer.Length * 2)];
        var size = 0;
        foreach (var lease in batch) size += LeaseRecordCodec.Write(lease, _writeBuffer.AsSpan(size));
        _journal.Write(_writeBuffer, 0, size);
        _journal.Flush(flushToDisk: true);
    }

    /// <summary>
    /// Temp file, fsync, rename over the snapshot, fsync the directory, then empty the journal. A crash before
    /// the rename leaves the old snapshot and the full journal; after it, the new snapshot plus a journal whose
    /// records it already contains — replaying them again yields the same state, so every point is safe.
    /// </summary>
    private void Compact()
    {
        var snapshot = Path.Combine(_directory, SnapshotFileName);
        var temp = snapshot + TempSuffix;
        try
        {
            using (var f = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
            {
                var buffer = new byte[SnapshotHeader.Length + _state.Values.Sum(l => LeaseRecordCodec.SizeOf(l))];
                var named = _state.Values.Any(l => l.HostName is not null);
                (named ? NamedSnapshotHeader : SnapshotHeader).CopyTo(buffer);
                var at = SnapshotHeader.Length;
                foreach (var lease in _state.Values) at += LeaseRecordCodec.Write(lease, buffer.AsSpan(at));
                f.Write(buffer);
                f.Flush(flushToDisk: true);
            }
            File.Move(temp, snapshot, overwrite: true);
            DirectorySync.Flush(_directory);
            _journal.SetLength(0);
            _journal.Position = 0;
            _journal.Flush(flushToDisk: true);
            _journalRecords = 0;
            Compactions++;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LastCompactionError = e;
        }
    }

    private static (Dictionary<Ipv4Address, DhcpLease> State, LeaseRecoveryReport Report, long ValidJournalLength, long JournalRecords)
        Load(string directory)
    {
        var state = new Dictionary<Ipv4Address, DhcpLease>();
        int snapshotRecords = 0, corrupt = 0, journalRecords = 0;
        var snapshotPath = Path.Combine(directory, SnapshotFileName);
        if (File.Exists(snapshotPath))
        {
            var bytes = File.ReadAllBytes(snapshotPath);
            if (bytes.Length < SnapshotHeader.Length || !(bytes.AsSpan(0, SnapshotHeader.Length).SequenceEqual(SnapshotHeader)
                    || bytes.AsSpan(0, SnapshotHeader.Length).SequenceEqual(NamedSnapshotHeader)))
                throw new InvalidDataException($"{snapshotPath} is not a NetbootPi lease snapshot; move it away to start empty");
            var span = bytes.AsSpan(SnapshotHeader.Length);
            for (var at = 0; at < span.Length;)
            {
                // A record whose version byte is damaged has no size to trust: step as version 1 did.
                var size = LeaseRecordCodec.SizeAt(span[at..]);
                if (LeaseRecordCodec.TryRead(span[at..], out var lease))
                {
                    state[lease.Address] = lease;
                    snapshotRecords++;
                }
                else corrupt++;
                at += size == 0 ? LeaseRecordCodec.Size : size;
            }
        }

        long valid = 0, dropped = 0, droppedAt = -1;
        var journalPath = Path.Combine(directory, JournalFileName);
        if (File.Exists(journalPath))
        {
            var bytes = File.ReadAllBytes(journalPath);
            while (LeaseRecordCodec.TryRead(bytes.AsSpan((int)valid), out var lease))
            {
                state[lease.Address] = lease;
                journalRecords++;
                valid += LeaseRecordCodec.SizeOf(lease);
            }
            if (valid < bytes.Length)
            {
                dropped = bytes.Length - valid;
                droppedAt = valid;
            }
        }
        var report = new LeaseRecoveryReport(snapshotRecords, journalRecords, corrupt, dropped, droppedAt, state.Count);
        return (state, report, valid, journalRecords);
    }

    private static TaskCompletionSource NewBatch() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
