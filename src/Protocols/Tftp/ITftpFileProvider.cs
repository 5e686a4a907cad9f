using System.Net;

namespace NetbootPi.Protocols.Tftp;

/// <summary>
/// Where served files come from: a directory on disk (<see cref="TftpRootFileProvider"/>), a per-host mapping
/// in front of it (<see cref="PiSerialFileProvider"/>), or content the agent produces per request.
/// </summary>
public interface ITftpFileProvider
{
    /// <summary>
    /// Opens <paramref name="path"/> (the filename exactly as the client sent it) for <paramref name="client"/>.
    /// Called on the server's receive loop: keep it quick and never block on the network.
    /// </summary>
    TftpOpenResult Open(string path, IPEndPoint client);
}
