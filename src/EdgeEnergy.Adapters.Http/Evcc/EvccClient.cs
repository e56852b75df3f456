using System.Globalization;
using System.Net;
using System.Text.Json;
using EdgeEnergy.Domain.Control;
using EdgeEnergy.Domain.Ev;
using EdgeEnergy.Domain.History;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeEnergy.Adapters.Http.Evcc;

/// <summary>
/// evcc's REST API (routes and answers from its OpenAPI description, github.com/evcc-io/evcc <c>server/openapi.yaml</c>):
/// <c>GET api/state</c>; <c>POST api/loadpoints/{id}/mode/{mode}</c> (answers the mode as a JSON string),
/// <c>POST api/loadpoints/{id}/maxcurrent/{A}</c> (answers the number), <c>POST api/vehicles/{name}/plan/soc/{soc}/{RFC3339}</c>
/// (answers <c>{soc, time}</c>). A loadpoint evcc does not have has no route there: 404. A refusal is 400 with
/// <c>{"error": …}</c>. Every command is recorded in the audit log (target <c>evcc</c>) with its outcome, and passes
/// the <see cref="WriteGate"/> first: in shadow mode none is sent.
/// </summary>
public sealed class EvccClient(
    HttpClient client, IOptions<EvOptions> options, IAuditLog audit, TimeProvider timeProvider, ILogger<EvccClient> logger, WriteGate? gate = null)
    : IEvChargerState, IEvChargerControl
{
    public const string AuditTarget = "evcc";

    private readonly EvOptions _options = options?.Value ?? throw new ArgumentNullException(nameof(options));

    public async Task<EvChargerState> ReadAsync(CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, "api/state", "state", cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new EvChargerException(EvChargerFault.Refused, $"evcc state: HTTP {(int)response.StatusCode}: {EvccWire.Error(body)}");
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            return EvccWire.ParseState(document.RootElement, _options.Loadpoint, _options.Vehicle);
        }
        catch (JsonException e)
        {
            throw new EvChargerException(EvChargerFault.Refused, $"evcc state: not JSON: {e.Message}", e);
        }
    }

    public Task SetModeAsync(EvChargeMode mode, string reason, CancellationToken cancellationToken) =>
        CommandAsync($"api/loadpoints/{_options.Loadpoint}/mode/{mode.ToWire()}", reason, cancellationToken);

    public Task SetMaxCurrentAsync(double amps, string reason, CancellationToken cancellationToken) =>
        CommandAsync(string.Create(CultureInfo.InvariantCulture, $"api/loadpoints/{_options.Loadpoint}/maxcurrent/{amps:0.##}"), reason, cancellationToken);

    public Task SetDeadlineAsync(EvDeadline deadline, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deadline);
        // evcc's route takes the name as [a-zA-Z0-9_.:-]+ and the time as RFC 3339; UTC with a Z keeps it unambiguous.
        var time = deadline.TimeUtc.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        return CommandAsync($"api/vehicles/{Uri.EscapeDataString(deadline.Vehicle)}/plan/soc/{deadline.SocPercent}/{time}", reason, cancellationToken);
    }

    private async Task CommandAsync(string path, string reason, CancellationToken cancellationToken)
    {
        var command = $"POST {path}";
        string outcome;
        try
        {
            gate?.Check($"evcc {command}");
            using var response = await SendAsync(HttpMethod.Post, path, command, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                throw new EvChargerException(EvChargerFault.UnknownLoadpoint,
                    $"evcc {command}: 404: evcc has no such route; is loadpoint {_options.Loadpoint} (Ev:Loadpoint) configured in evcc?");
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new EvChargerException(EvChargerFault.Refused, $"evcc {command}: HTTP {(int)response.StatusCode}: {EvccWire.Error(body)}");
            }

            outcome = "ok";
            logger.EvccCommandSent(command, reason);
            await audit.RecordAsync(new AuditEntry(timeProvider.GetUtcNow(), AuditTarget, command, outcome, reason), cancellationToken);
        }
        catch (Exception e) when (e is EvChargerException or WriteRefusedException)
        {
            outcome = e is WriteRefusedException ? "not sent: shadow mode" : e.Message;
            await audit.RecordAsync(new AuditEntry(timeProvider.GetUtcNow(), AuditTarget, command, outcome, reason), cancellationToken);
            throw;
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string what, CancellationToken cancellationToken)
    {
        if (!_options.Enabled)
        {
            throw new EvChargerException(EvChargerFault.Unreachable, "Ev:EvccUrl is not configured");
        }

        var url = new Uri(HttpOptionsChecks.Normalise(_options.EvccUrl), path);
        try
        {
            // evcc's commands set a value (mode, current, plan): repeating one after a lost answer does no harm.
            return await HttpRetry.SendAsync(
                client,
                () => new HttpRequestMessage(method, url),
                new RetrySettings(_options.RetryAttempts, _options.RetryBaseDelay, _options.RetryMaxDelay),
                timeProvider,
                logger,
                $"evcc {what}",
                null,
                cancellationToken);
        }
        catch (HttpGiveUpException e)
        {
            throw new EvChargerException(EvChargerFault.Unreachable, $"evcc at {_options.EvccUrl} (Ev:EvccUrl) unreachable: {e.Message}", e);
        }
    }
}

/// <summary>Checks <see cref="EvOptions"/>; every message names the key. Off (empty <c>Ev:EvccUrl</c>) checks only the ranges.</summary>
public sealed class EvOptionsValidator : IValidateOptions<EvOptions>
{
    public ValidateOptionsResult Validate(string? name, EvOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.DefaultDepartureLocal < TimeSpan.Zero || options.DefaultDepartureLocal >= TimeSpan.FromDays(1))
        {
            errors.Add($"Ev:DefaultDepartureLocal ({options.DefaultDepartureLocal}) must be a time of day, e.g. 07:30");
        }

        if (options.MinCurrentAmps > options.MaxCurrentAmps)
        {
            errors.Add($"Ev:MinCurrentAmps ({options.MinCurrentAmps}) must not exceed Ev:MaxCurrentAmps ({options.MaxCurrentAmps})");
        }

        if (options.Phases == 2)
        {
            errors.Add("Ev:Phases must be 1 or 3, not 2");
        }

        if (options.Enabled)
        {
            HttpOptionsChecks.BaseUrl(errors, "Ev:EvccUrl", options.EvccUrl);
            if (options.Vehicle is { Length: > 0 } vehicle && !vehicle.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or ':' or '-'))
            {
                // evcc's vehicle routes take [a-zA-Z0-9_.:-]+ only.
                errors.Add($"Ev:Vehicle '{vehicle}' must be evcc's vehicle name (letters, digits and _ . : - only)");
            }

            HttpOptionsChecks.Retry(errors, "Ev", options.RetryAttempts, options.RetryBaseDelay, options.RetryMaxDelay, options.Timeout);
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
