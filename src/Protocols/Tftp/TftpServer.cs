using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace NetbootPi.Protocols.Tftp;

/// <summary>
/// A read-only TFTP server (RFC 1350 with the options of RFC 2347, 2348, 2349 and 7440). Requests arrive on
/// <see cref="TftpServerOptions.EndPoint"/>; each transfer runs on its own socket with an ephemeral port (the
/// server's TID, RFC 1350 section 4) bound to the address the request was sent to.
/// </summary>
public sealed class TftpServer : IAsyncDisposable
{
    private const int RequestBufferSize = 2048;

    private readonly TftpServerOptions _options;
    private readonly ITftpFileProvider _files;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<IPEndPoint, TftpTransferRunner> _transfers = new();
    // Running transfers per client address (TftpServerOptions.MaxTransfersPerClient); an address leaves when its
    // count falls to zero, so the map holds at most MaxTransfers entries.
    private readonly Dictionary<IPAddress, int> _perClient = [];
    private readonly Lock _perClientLock = new();
    private Socket? _socket;
    private Task _receiveLoop = Task.CompletedTask;
    private int _transferCount;

    public TftpServer(TftpServerOptions options, ITftpFileProvider files, ILogger logger, TimeProvider? time = null)
    {
        options.Validate();
        _options = options;
        _files = files;
        _logger = logger;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The bound request endpoint (with the real port when the options asked for port 0).</summary>
    public IPEndPoint LocalEndPoint => (IPEndPoint?)_socket?.LocalEndPoint ?? throw new InvalidOperationException("not started");

    /// <summary>Transfers currently holding a socket and a file.</summary>
    public int ActiveTransfers => Volatile.Read(ref _transferCount);

    /// <summary>Binds the request socket and starts serving; throws <see cref="SocketException"/> if the bind fails.</summary>
    public void Start()
    {
        if (_socket is not null) throw new InvalidOperationException("already started");
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            // The destination address of each request tells which local address its transfer must use.
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.PacketInformation, true);
            socket.Bind(_options.EndPoint);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        _socket = socket;
        TftpLog.Listening(_logger, LocalEndPoint);
        _receiveLoop = ReceiveLoopAsync(socket, _stop.Token);
    }

    private async Task ReceiveLoopAsync(Socket socket, CancellationToken stop)
    {
        var progress = _options.Progress;
        try
        {
            await ReceiveRequestsAsync(socket, progress, stop).ConfigureAwait(false);
            progress?.End(null);
        }
        catch (Exception e)
        {
            progress?.End($"{e.GetType().Name}: {e.Message}");
            throw;
        }
    }

    private async Task ReceiveRequestsAsync(Socket socket, Net.LoopProgress? progress, CancellationToken stop)
    {
        var buffer = new byte[RequestBufferSize];
        var any = new IPEndPoint(IPAddress.Any, 0);
        while (!stop.IsCancellationRequested)
        {
            SocketReceiveMessageFromResult received;
            try
            {
                received = await socket.ReceiveMessageFromAsync(buffer, SocketFlags.None, any, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (SocketException e)
            {
                TftpLog.SocketError(_logger, e.SocketErrorCode);
                continue;
            }
            progress?.Busy();
            var local = _options.EndPoint.Address.Equals(IPAddress.Any) ? received.PacketInformation.Address : _options.EndPoint.Address;
            OnRequest(socket, buffer.AsSpan(0, received.ReceivedBytes), (IPEndPoint)received.RemoteEndPoint, local);
            progress?.Idle();
        }
    }

    private void OnRequest(Socket socket, ReadOnlySpan<byte> packet, IPEndPoint client, IPAddress local)
    {
        if (client.Port == 0) return;
        var reason = TftpPacket.TryParseRequest(packet, out var request);
        if (reason != TftpRejectReason.None)
        {
            // Only malformed requests get an answer; stray DATA, ACK or garbage on the request port is dropped so
            // that the server cannot be used to reflect traffic.
            if (reason is TftpRejectReason.UnknownOpcode or TftpRejectReason.UnexpectedOpcode or TftpRejectReason.TooShort)
            {
                TftpLog.PacketIgnored(_logger, client, reason);
                return;
            }
            TftpLog.RequestRejected(_logger, client, reason);
            SendError(socket, client, TftpErrorCode.IllegalOperation, $"Malformed request: {reason}");
            return;
        }
        var file = request!.FileName;
        if (request.Opcode == TftpOpcode.WriteRequest)
        {
            TftpLog.WriteRefused(_logger, client, file);
            SendError(socket, client, TftpErrorCode.AccessViolation, "Server is read-only");
            return;
        }
        // A client that did not hear from the transfer yet repeats its RRQ from the same port: not a new transfer.
        if (_transfers.ContainsKey(client))
        {
            TftpLog.DuplicateRequest(_logger, client, file);
            return;
        }
        if (!TryTakeClientSlot(client.Address))
        {
            TftpLog.ClientBusy(_logger, client, file, _options.MaxTransfersPerClient);
            SendError(socket, client, TftpErrorCode.NotDefined, "Server busy: too many transfers to this address, retry later");
            return;
        }
        if (Interlocked.Increment(ref _transferCount) > _options.MaxTransfers)
        {
            Interlocked.Decrement(ref _transferCount);
            ReleaseClientSlot(client.Address);
            TftpLog.Busy(_logger, client, file, _options.MaxTransfers);
            SendError(socket, client, TftpErrorCode.NotDefined, "Server busy: too many transfers, retry later");
            return;
        }
        if (!TryStartTransfer(socket, request, client, local))
        {
            Interlocked.Decrement(ref _transferCount);
            ReleaseClientSlot(client.Address);
        }
    }

    /// <summary>One more transfer for <paramref name="address"/>, unless it has its cap already.</summary>
    private bool TryTakeClientSlot(IPAddress address)
    {
        lock (_perClientLock)
        {
            _perClient.TryGetValue(address, out var running);
            if (running >= _options.MaxTransfersPerClient) return false;
            _perClient[address] = running + 1;
            return true;
        }
    }

    private void ReleaseClientSlot(IPAddress address)
    {
        lock (_perClientLock)
        {
            if (!_perClient.TryGetValue(address, out var running)) return;
            if (running <= 1) _perClient.Remove(address);
            else _perClient[address] = running - 1;
        }
    }

    private bool TryStartTransfer(Socket requestSocket, TftpRequest request, IPEndPoint client, IPAddress local)
    {
        var file = request.FileName;
        TftpOpenResult opened;
        try
        {
            opened = _files.Open(file, client);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The provider may be agent code rendering a template; one bad render must not stop the server.
            TftpLog.ProviderFailed(_logger, e, file, client);
            SendError(requestSocket, client, TftpErrorCode.NotDefined, "Server error");
            return false;
        }
        if (!opened.IsSuccess)
        {
            if (opened.ErrorCode == TftpErrorCode.AccessViolation) TftpLog.AccessDenied(_logger, client, file, opened.LogDetail);
            else TftpLog.OpenFailed(_logger, client, file, opened.ErrorCode, opened.LogDetail);
            SendError(requestSocket, client, opened.ErrorCode, opened.ErrorMessage);
            return false;
        }
        var stream = opened.Stream!;
        Socket? socket = null;
        try
        {
            socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            socket.Bind(new IPEndPoint(local, 0));
        }
        catch (SocketException e)
        {
            TftpLog.SocketError(_logger, e.SocketErrorCode);
            socket?.Dispose();
            stream.Dispose();
            SendError(requestSocket, client, TftpErrorCode.NotDefined, "Server cannot open a transfer socket");
            return false;
        }
        var parameters = TftpTransferParameters.Negotiate(request, _options, stream.Length, _options.InterfaceMtu?.Invoke(local));
        var runner = new TftpTransferRunner(socket, client, file, parameters, stream, _time, _logger);
        _transfers[client] = runner;
        TftpLog.TransferStarted(_logger, file, client, (IPEndPoint)socket.LocalEndPoint!, parameters.Mode, parameters.BlockSize,
            parameters.WindowSize, stream.Length);
        // A thread of its own (LongRunning), blocked in the kernel between packets: see TftpTransferRunner. The
        // cap on transfers is also the cap on these threads.
        runner.Task = Task.Factory.StartNew(() => Run(runner), CancellationToken.None, TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        return true;
    }

    private void Run(TftpTransferRunner runner)
    {
        try
        {
            runner.Run(_stop.Token);
        }
        finally
        {
            _transfers.TryRemove(new KeyValuePair<IPEndPoint, TftpTransferRunner>(runner.Client, runner));
            Interlocked.Decrement(ref _transferCount);
            ReleaseClientSlot(runner.Client.Address);
        }
    }

    private void SendError(Socket socket, IPEndPoint client, TftpErrorCode code, string message)
    {
        Span<byte> packet = stackalloc byte[128];
        var length = TftpPacket.WriteError(packet, code, message);
        try
        {
            socket.SendTo(packet[..length], SocketFlags.None, client);
        }
        catch (SocketException e)
        {
            TftpLog.SocketError(_logger, e.SocketErrorCode);
        }
    }

    /// <summary>Stops receiving requests, tells running transfers' clients and waits for the transfers to end.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested) return;
        _stop.Cancel();
        await _receiveLoop.ConfigureAwait(false);
        foreach (var runner in _transfers.Values) await runner.Task.ConfigureAwait(false);
        _socket?.Dispose();
        _stop.Dispose();
    }
}
