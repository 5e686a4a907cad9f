using Microsoft.Extensions.Time.Testing;
using NetbootPi.Agent.Health;
using NetbootPi.Protocols.Net;

namespace NetbootPi.Agent.Tests.Health;

public class LoopCheckTests
{
    [Fact]
    public void A_loop_is_healthy_while_it_waits_however_long_and_stuck_when_one_request_takes_longer_than_the_limit()
    {
        var time = new FakeTimeProvider();
        var tftp = new LoopProgress("TFTP on 0.0.0.0:69", time);
        var dhcp = new LoopProgress("DHCP on eth0", time);
        var check = new LoopCheck(() => [tftp, dhcp], TimeSpan.FromSeconds(5));

        time.Advance(TimeSpan.FromHours(1)); // waiting for a datagram all along
        Assert.Null(check.Problem());

        tftp.Busy();
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Null(check.Problem());
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal("the TFTP on 0.0.0.0:69 loop has been handling one request for 7 s (at most 5 s)", check.Problem());

        tftp.Idle();
        Assert.Null(check.Problem());
    }

    [Fact]
    public void A_loop_that_ended_by_itself_is_a_problem_one_that_was_stopped_is_not()
    {
        var stopped = new LoopProgress("TFTP on 0.0.0.0:69");
        var crashed = new LoopProgress("DHCP on eth0");
        var check = new LoopCheck(() => [stopped, crashed], LoopCheck.DefaultLimit);
        stopped.End(null);
        Assert.Null(check.Problem());
        crashed.End("ObjectDisposedException: Cannot access a disposed object.");
        Assert.Equal("the DHCP on eth0 loop ended: ObjectDisposedException: Cannot access a disposed object.", check.Problem());
    }
}
