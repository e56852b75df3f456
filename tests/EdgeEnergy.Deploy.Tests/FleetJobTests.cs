using EdgeEnergy.Backtest.Fleet;
using EdgeEnergy.Deploy.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace EdgeEnergy.Deploy.Tests;

/// <summary>deploy/fleet: the fleet backtest as a Kubernetes Indexed Job and its merge job.</summary>
public sealed class FleetJobTests
{
    private static YamlMappingNode Container(YamlMappingNode job) =>
        Assert.IsType<YamlMappingNode>(Assert.Single(job.Map("spec").Map("template").Map("spec").Seq("containers").Children));

    private static string Option(IReadOnlyList<string> args, string name) => args[args.ToList().IndexOf(name) + 1];

    [Fact]
    public void Every_manifest_row_is_run_by_exactly_one_pod_of_the_indexed_job()
    {
        var job = Yaml.Load(Repository.PathOf("deploy/fleet/backtest-job.yaml"));
        var spec = job.Map("spec");
        Assert.Equal(("batch/v1", "Job", "Indexed"), (job.Scalar("apiVersion"), job.Scalar("kind"), spec.Scalar("completionMode")));
        var completions = int.Parse(spec.Scalar("completions"), System.Globalization.CultureInfo.InvariantCulture);
        var container = Container(job);
        var args = container.Seq("args").Scalars();
        Assert.Equal(["backtest", "--fleet"], args.Take(2));
        var index = Assert.Single(container.Seq("env").Children.Cast<YamlMappingNode>(), e => e.Scalar("name") == "JOB_COMPLETION_INDEX");
        Assert.Equal("metadata.annotations['batch.kubernetes.io/job-completion-index']", index.Map("valueFrom").Map("fieldRef").Scalar("fieldPath"));

        // Each pod's --shard as Kubernetes expands it, read by the command's own parser: over a 50-home manifest every
        // row falls in exactly one shard (a shard count other than completions would leave homes out).
        var homes = Enumerable.Range(0, 50).Select(i => new FleetHome(i + 2, $"home-{i}", "h.csv", "s.json")).ToList();
        var run = Enumerable.Range(0, completions)
            .SelectMany(i => FleetManifest.Shard(homes, FleetShard.Parse(Option(args, "--shard").Replace("$(JOB_COMPLETION_INDEX)", i.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal))))
            .Select(h => h.Id).ToList();
        Assert.Equal(homes.Select(h => h.Id).Order(), run.Order());
    }

    [Fact]
    public void The_merge_job_reads_the_same_manifest_and_folder_on_the_same_volume()
    {
        var backtest = Yaml.Load(Repository.PathOf("deploy/fleet/backtest-job.yaml"));
        var merge = Yaml.Load(Repository.PathOf("deploy/fleet/backtest-merge-job.yaml"));
        var backtestArgs = Container(backtest).Seq("args").Scalars();
        var mergeArgs = Container(merge).Seq("args").Scalars();

        Assert.Equal(["backtest", "merge"], mergeArgs.Take(2));
        Assert.Equal((Option(backtestArgs, "--fleet"), Option(backtestArgs, "--out")), (Option(mergeArgs, "--fleet"), Option(mergeArgs, "--out")));
        static string Claim(YamlMappingNode job) =>
            Assert.IsType<YamlMappingNode>(Assert.Single(job.Map("spec").Map("template").Map("spec").Seq("volumes").Children)).Map("persistentVolumeClaim").Scalar("claimName");
        Assert.Equal(Claim(backtest), Claim(merge));
    }
}
