# Multi-stage build of the EhrShare web app (used by docker-compose.yml).
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/ src/
COPY contracts/ contracts/
RUN dotnet publish src/EhrShare.Web/EhrShare.Web.csproj -c Release -o /app --nologo

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app ./
COPY deploy/docker-entrypoint.sh /usr/local/bin/ehrshare-entrypoint
RUN mkdir -p /data && chown app:app /data
USER app
VOLUME /data
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/ehrshare-entrypoint"]
