using System.Net;
using Microsoft.Extensions.Logging;

namespace NetbootPi.Protocols.Tftp;

/// <summary>Log messages of the TFTP server; event ids 4000-4099 belong to it.</summary>
internal static partial class TftpLog
{
    [LoggerMessage(4001, LogLevel.Information, "TFTP server listening on {EndPoint}")]
    public static partial void Listening(ILogger logger, IPEndPoint endPoint);

    [LoggerMessage(4002, LogLevel.Information, "TFTP request from {Client} rejected: {Reason}")]
    public static partial void RequestRejected(ILogger logger, IPEndPoint client, TftpRejectReason reason);

    [LoggerMessage(4003, LogLevel.Information, "TFTP write request from {Client} for {File} refused: the server is read-only")]
    public static partial void WriteRefused(ILogger logger, IPEndPoint client, string file);

    [LoggerMessage(4004, LogLevel.Warning, "TFTP request from {Client} for {File} refused: {Max} transfers already running (raise the transfer cap if this is normal load)")]
    public static partial void Busy(ILogger logger, IPEndPoint client, string file, int max);

    [LoggerMessage(4015, LogLevel.Warning, "TFTP request from {Client} for {File} refused: {Max} transfers to its address already running, the most one address may have")]
    public static partial void ClientBusy(ILogger logger, IPEndPoint client, string file, int max);

    [LoggerMessage(4005, LogLevel.Warning, "TFTP request from {Client} for {File} refused with access violation: {Detail}")]
    public static partial void AccessDenied(ILogger logger, IPEndPoint client, string file, string detail);

    [LoggerMessage(4006, LogLevel.Information, "TFTP request from {Client} for {File} failed with {Code}: {Detail}")]
    public static partial void OpenFailed(ILogger logger, IPEndPoint client, string file, TftpErrorCode code, string detail);

    [LoggerMessage(4007, LogLevel.Debug, "TFTP transfer of {File} to {Client} from {Local}: {Mode}, blksize {BlockSize}, windowsize {WindowSize}, {Length} bytes")]
    public static partial void TransferStarted(ILogger logger, string file, IPEndPoint client, IPEndPoint local, TftpTransferMode mode,
        int blockSize, int windowSize, long length);

    [LoggerMessage(4008, LogLevel.Information, "TFTP sent {File} to {Client}: {Blocks} blocks in {Milliseconds} ms, {Resent} retransmitted")]
    public static partial void TransferCompleted(ILogger logger, string file, IPEndPoint client, long blocks, long milliseconds, long resent);

    [LoggerMessage(4009, LogLevel.Warning, "TFTP transfer of {File} to {Client} ended after {Blocks} acknowledged blocks: {Outcome} {Detail}")]
    public static partial void TransferEnded(ILogger logger, string file, IPEndPoint client, long blocks, TftpTransferOutcome outcome, string detail);

    [LoggerMessage(4010, LogLevel.Warning, "TFTP packet from {Stranger} to the transfer of {File} to {Client} answered with unknown transfer ID")]
    public static partial void WrongTransferId(ILogger logger, IPEndPoint stranger, string file, IPEndPoint client);

    [LoggerMessage(4011, LogLevel.Debug, "TFTP packet from {Client} ignored: {Reason}")]
    public static partial void PacketIgnored(ILogger logger, IPEndPoint client, TftpRejectReason reason);

    [LoggerMessage(4012, LogLevel.Error, "TFTP file provider failed opening {File} for {Client}")]
    public static partial void ProviderFailed(ILogger logger, Exception exception, string file, IPEndPoint client);

    [LoggerMessage(4013, LogLevel.Warning, "TFTP socket error: {Error}")]
    public static partial void SocketError(ILogger logger, System.Net.Sockets.SocketError error);

    [LoggerMessage(4014, LogLevel.Debug, "TFTP request from {Client} for {File} repeats a running transfer; ignored")]
    public static partial void DuplicateRequest(ILogger logger, IPEndPoint client, string file);
}
