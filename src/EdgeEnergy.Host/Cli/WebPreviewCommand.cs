using System.CommandLine;
using EdgeEnergy.Host.Web.Preview;

namespace EdgeEnergy.Host.Cli;

/// <summary>
/// <c>edgeenergy web-preview [--urls URL] [--token T] [--scenario normal|fallback|override]</c> (hidden, for
/// developers): serves the API, /metrics and the dashboard over a preview built from bundled real prices and the
/// real optimiser, until Ctrl+C.
/// </summary>
internal static class WebPreviewCommand
{
    public static Command Create()
    {
        var urls = new Option<string>("--urls") { Description = "Where to listen (Http:Urls).", DefaultValueFactory = _ => Web.HttpOptions.DefaultUrls };
        var token = new Option<string?>("--token") { Description = "Bearer token (Http:Token); required for a non-loopback address." };
        var scenario = new Option<PreviewMode>("--scenario") { Description = "Which state to show: Normal, Fallback, Override or Shadow.", DefaultValueFactory = _ => PreviewMode.Normal };
        var command = new Command("web-preview", "Serves the dashboard, API and /metrics over a preview plan from bundled real prices (developer tool).")
        {
            Hidden = true,
        };
        command.Options.Add(urls);
        command.Options.Add(token);
        command.Options.Add(scenario);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var configuration = new Dictionary<string, string?>
            {
                ["Http:Urls"] = parse.GetValue(urls),
                ["Http:Token"] = parse.GetValue(token),
            };
            WebApplication app;
            try
            {
                app = PreviewHost.Build(configuration, parse.GetValue(scenario));
                await app.StartAsync(cancellationToken);
            }
            catch (Microsoft.Extensions.Options.OptionsValidationException e)
            {
                await Console.Error.WriteLineAsync($"edgeenergy web-preview: {e.Message}");
                return ExitCodes.BadInput;
            }

            await Console.Error.WriteLineAsync($"edgeenergy web-preview: dashboard on {string.Join(", ", PreviewHost.BoundAddresses(app))} (Ctrl+C stops)");
            await app.WaitForShutdownAsync(cancellationToken);
            await app.DisposeAsync();
            return ExitCodes.Success;
        });
        return command;
    }
}
