using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Outbox.Bus.Components;

public static class OutboxBusTransport
{
    /// <summary>
    /// The transport every host uses, from configuration. Endpoint names are kebab-case (<c>send-job-state</c>,
    /// <c>deliver-message</c>, …) so the RabbitMQ management UI says what each queue is for.
    /// </summary>
    public static IBusRegistrationConfigurator UsingConfiguredTransport(this IBusRegistrationConfigurator bus, IConfiguration configuration,
        Action<IBusRegistrationContext, IBusFactoryConfigurator>? configure = null)
    {
        var options = configuration.GetSection(TransportOptions.Section).Get<TransportOptions>() ?? new TransportOptions();
        bus.SetKebabCaseEndpointNameFormatter();
        // MassTransit reports usage to its authors unless told not to; a self-hosted service sends nothing anywhere
        // its operator did not configure.
        bus.ConfigureUsageTelemetryOptions(o => o.Enabled = options.UsageTelemetry);

        switch (options.Kind)
        {
            case TransportKind.RabbitMq:
                var rabbit = options.RabbitMq;
                bus.UsingRabbitMq((context, cfg) =>
                {
                    cfg.Host(rabbit.Host, (ushort)rabbit.Port, rabbit.VirtualHost, h =>
                    {
                        h.Username(rabbit.Username);
                        h.Password(rabbit.Password);
                        h.PublisherConfirmation = true;
                        if (rabbit.UseTls)
                            h.UseSsl(s => s.ServerName = rabbit.Host);
                    });
                    cfg.PrefetchCount = rabbit.PrefetchCount;
                    if (rabbit.QuorumQueues)
                        cfg.SetQuorumQueue();
                    configure?.Invoke(context, cfg);
                    cfg.ConfigureEndpoints(context);
                });
                break;
            default:
                bus.UsingInMemory((context, cfg) =>
                {
                    configure?.Invoke(context, cfg);
                    cfg.ConfigureEndpoints(context);
                });
                break;
        }
        return bus;
    }
}
