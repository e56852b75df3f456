using EdgeEnergy.Adapters.Mqtt.Fleet;

namespace EdgeEnergy.Adapters.Mqtt.Tests.Fleet;

public sealed class FleetMqttOptionsValidatorTests
{
    [Fact]
    public void The_defaults_and_a_full_configuration_pass()
    {
        Assert.True(new FleetMqttOptionsValidator().Validate(null, new FleetMqttOptions()).Succeeded);
        var options = new FleetMqttOptions { Host = "fleet.example", Port = 8883, Username = "home1", Password = "x" };
        options.FailoverBrokers.Add("fleet2.example:8883");
        Assert.True(new FleetMqttOptionsValidator().Validate(null, options).Succeeded);
        Assert.Equal([("fleet.example", 8883), ("fleet2.example", 8883)], options.Brokers());
    }

    [Theory]
    [InlineData("Fleet:Mqtt:FailoverBrokers:0 'fleet2' must be host:port")]
    [InlineData("Fleet:Mqtt:ClientCertificatePath and Fleet:Mqtt:ClientKeyPath go together")]
    [InlineData("Fleet:Mqtt:StateIntervalSeconds must be 10..3600, got 5")]
    [InlineData("Fleet:Mqtt:UseTls must be true when a CA or client certificate is given")]
    [InlineData("Fleet:Mqtt:CaCertificatePath '/nonexistent/ca.pem' does not exist")]
    public void Each_bad_value_is_named(string expected)
    {
        var options = new FleetMqttOptions { Host = "fleet.example" };
        switch (expected.Split(' ')[0])
        {
            case "Fleet:Mqtt:FailoverBrokers:0":
                options.FailoverBrokers.Add("fleet2");
                break;
            case "Fleet:Mqtt:ClientCertificatePath":
                options.ClientCertificatePath = typeof(FleetMqttOptionsValidatorTests).Assembly.Location;
                break;
            case "Fleet:Mqtt:StateIntervalSeconds":
                options.StateIntervalSeconds = 5;
                options.SampleSeconds = 1;
                break;
            case "Fleet:Mqtt:UseTls":
                options.UseTls = false;
                options.CaCertificatePath = typeof(FleetMqttOptionsValidatorTests).Assembly.Location;
                break;
            default:
                options.CaCertificatePath = "/nonexistent/ca.pem";
                break;
        }

        var result = new FleetMqttOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith(expected, StringComparison.Ordinal));
    }
}
