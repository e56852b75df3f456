namespace EdgeEnergy.Adapters.Mqtt.Tests;

public class MqttOptionsValidatorTests
{
    [Fact]
    public void The_defaults_are_valid()
    {
        Assert.True(new MqttOptionsValidator().Validate(null, new MqttOptions()).Succeeded);
    }

    [Theory]
    [InlineData("Port", "Mqtt:Port must be 1..65535")]
    [InlineData("DiscoveryPrefix", "Mqtt:DiscoveryPrefix 'home/#' must not contain")]
    [InlineData("BaseTopic", "Mqtt:BaseTopic must not be empty")]
    [InlineData("NodeId", "Mqtt:NodeId 'my node' must be non-empty")]
    [InlineData("DiscoveryMode", "Mqtt:DiscoveryMode must be 'device' or 'entity'")]
    [InlineData("DisabledFeatures", "Mqtt:DisabledFeatures has unknown feature 'lasers'")]
    [InlineData("Password", "Mqtt:Password is set but Mqtt:Username is empty")]
    [InlineData("HeartbeatSeconds", "Mqtt:HeartbeatSeconds must be between")]
    public void A_bad_setting_fails_with_a_message_naming_its_key(string key, string expected)
    {
        var options = new MqttOptions();
        switch (key)
        {
            case "Port": options.Port = 0; break;
            case "DiscoveryPrefix": options.DiscoveryPrefix = "home/#"; break;
            case "BaseTopic": options.BaseTopic = ""; break;
            case "NodeId": options.NodeId = "my node"; break;
            case "DiscoveryMode": options.DiscoveryMode = "both"; break;
            case "DisabledFeatures": options.DisabledFeatures.Add("lasers"); break;
            case "Password": options.Password = "secret"; break;
            case "HeartbeatSeconds": options.HeartbeatSeconds = 0.5; break;
        }

        var result = new MqttOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith(expected, StringComparison.Ordinal));
    }
}
