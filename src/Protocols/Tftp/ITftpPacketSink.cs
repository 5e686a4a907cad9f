namespace NetbootPi.Protocols.Tftp;

/// <summary>Where a transfer's packets go: a UDP socket towards the client, or an in-memory link in tests.</summary>
internal interface ITftpPacketSink
{
    /// <summary>Sends one datagram to the transfer's peer; the span is only valid during the call.</summary>
    void Send(ReadOnlySpan<byte> packet);
}
