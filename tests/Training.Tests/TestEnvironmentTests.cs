using MLPipeline.TestSupport;
using MLPipeline.Training.Cli;

namespace MLPipeline.Training.Tests;

public sealed class TestEnvironmentTests
{
    [Fact]
    public void In_process_commands_see_no_pipeline_or_store_variables_of_the_machine_running_the_suite()
    {
        foreach (var name in ExternalTool.Scrubbed)
        {
            Environment.GetEnvironmentVariable(name).Should().BeNull(name);
        }

        AzureDevOps.IsRunning.Should().BeFalse();
    }
}
