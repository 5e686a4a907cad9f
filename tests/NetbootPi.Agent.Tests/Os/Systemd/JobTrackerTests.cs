using NetbootPi.Agent.Os.Systemd;

namespace NetbootPi.Agent.Tests.Os.Systemd;

public class JobTrackerTests
{
    [Fact]
    public async Task A_job_that_ends_before_the_reply_names_it_is_still_seen()
    {
        var tracker = new JobTracker();
        using var waiter = tracker.Begin();
        tracker.OnJobRemoved("/org/freedesktop/systemd1/job/7", "failed");
        tracker.OnJobRemoved("/org/freedesktop/systemd1/job/8", "done");
        waiter.SetJobPath("/org/freedesktop/systemd1/job/7");
        Assert.Equal("failed", await waiter.Result.Task);
    }

    [Fact]
    public async Task Each_waiter_gets_its_own_job()
    {
        var tracker = new JobTracker();
        using var first = tracker.Begin();
        using var second = tracker.Begin();
        first.SetJobPath("/job/1");
        second.SetJobPath("/job/2");
        tracker.OnJobRemoved("/job/2", "done");
        Assert.False(first.Result.Task.IsCompleted);
        tracker.OnJobRemoved("/job/1", "canceled");
        Assert.Equal("canceled", await first.Result.Task);
        Assert.Equal("done", await second.Result.Task);
    }

    [Fact]
    public async Task A_lost_connection_fails_every_waiter()
    {
        var tracker = new JobTracker();
        using var waiter = tracker.Begin();
        waiter.SetJobPath("/job/1");
        tracker.FailAll(new InvalidOperationException("gone"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => waiter.Result.Task);
    }

    [Fact]
    public void Results_for_other_jobs_are_not_kept_once_the_path_is_known()
    {
        var tracker = new JobTracker();
        using var waiter = tracker.Begin();
        tracker.OnJobRemoved("/job/1", "done");
        waiter.SetJobPath("/job/2");
        Assert.Empty(waiter.Early);
        tracker.OnJobRemoved("/job/3", "done");
        Assert.Empty(waiter.Early);
        Assert.False(waiter.Result.Task.IsCompleted);
    }
}
