using NetbootPi.Agent.Cli;

// Socket completions run on the epoll thread instead of hopping to the thread pool: TFTP's lock-step transfers
// (one datagram, wait for its ACK, the next) were 0.61x tftpd-hpa at 64 KiB blocks without it. The runtime reads
// this only from the environment, once, when the first socket is used; set here it holds however the agent was
// started (the unit, a shell, a test). An explicit value, 0 included, is left alone.
if (Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") is null)
    Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");

return await CommandLine.RunAsync(args, Console.Out, Console.Error);
