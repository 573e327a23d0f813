using MLPipeline.TestSupport;

namespace MLPipeline.Shared.Tests.TestSupport;

public class LoopbackPortsTests
{
    [Fact]
    public async Task A_start_whose_port_was_taken_is_tried_again_on_another_free_port()
    {
        var tried = new List<int>();

        var started = await LoopbackPorts.StartOnFreePortAsync(port =>
        {
            tried.Add(port);
            return tried.Count == 1 ? throw new PortInUseException(port) : Task.FromResult(port);
        });

        tried.Should().HaveCount(2);
        started.Should().Be(tried[1]);
    }

    [Fact]
    public async Task A_port_that_is_always_taken_ends_in_the_error_after_a_few_attempts()
    {
        var attempts = 0;

        var start = () => LoopbackPorts.StartOnFreePortAsync<int>(port =>
        {
            attempts++;
            throw new PortInUseException(port);
        });

        await start.Should().ThrowAsync<PortInUseException>();
        attempts.Should().Be(5);
    }

    [Fact]
    public async Task Other_start_failures_are_not_retried()
    {
        var attempts = 0;

        var start = () => LoopbackPorts.StartOnFreePortAsync<int>(_ =>
        {
            attempts++;
            throw new InvalidOperationException("the server would not start");
        });

        await start.Should().ThrowAsync<InvalidOperationException>();
        attempts.Should().Be(1);
    }
}
