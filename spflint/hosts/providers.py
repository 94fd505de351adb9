"""Managed DNS hosts edited through a web UI: one declarative entry each."""

from __future__ import annotations

from .model import Apex, Host, Kind, Quoting, Splitting

_UI_LABELS = "The menu path and field labels follow convention; UIs change, so look for the " \
             "nearest equivalent."
_SPLIT_UNKNOWN = "How values over 255 octets are handled (split by the host or rejected)."
_MS_HOWTO = "MicrosoftDocs/microsoft-365-docs admin/dns/create-dns-records-at-{}.md"

CLOUDFLARE = Host(
    key="cloudflare", name="Cloudflare", kind=Kind.DNS_HOST, value_format="plain",
    apex=Apex.AT, quoting=Quoting.NO_QUOTES, splitting=Splitting.HOST,
    ns_patterns=("ns.cloudflare.com",),
    ttl_label="Auto", min_ttl=60,
    ui_path=("Cloudflare dashboard", "your domain", "DNS", "Records"),
    name_field="Name", value_field="Content",
    notes=(
        "The dashboard adds the quotes itself; API content must be quoted character-strings "
        "of at most 255 bytes each, and longer strings are split automatically.",
        "TTL 'Auto' is about 300 seconds; TTLs from 2 to 60 become 60.",
        "The SPF record type (99) is rejected for new records (error 1004): use TXT.",
    ),
    unconfirmed=(_UI_LABELS,),
    sources=("cloudflare-typescript PR#1777", "DNSControl documentation/provider/cloudflareapi.md",
             _MS_HOWTO.format("cloudflare")),
)

GODADDY = Host(
    key="godaddy", name="GoDaddy", kind=Kind.DNS_HOST, value_format="plain",
    apex=Apex.AT, quoting=Quoting.NO_QUOTES, splitting=Splitting.HOST,
    ns_patterns=("domaincontrol.com",),
    default_ttl=3600, ttl_label="1 hour",
    ui_path=("Domain Portfolio", "your domain", "DNS", "DNS Records"),
    type_value="TXT (Text)", name_field="Host", value_field="TXT Value",
    unconfirmed=(_SPLIT_UNKNOWN, _UI_LABELS),
    sources=("GoDaddy help 19218 (SPF)", _MS_HOWTO.format("godaddy")),
)

NAMECHEAP = Host(
    key="namecheap", name="Namecheap", kind=Kind.DNS_HOST, value_format="plain",
    apex=Apex.AT, quoting=Quoting.NO_QUOTES, splitting=Splitting.HOST,
    ns_patterns=("registrar-servers.com", "namecheaphosting.com"),
    ns_notes=(
        ("namecheaphosting.com", "Namecheap shared hosting: the records are edited in cPanel "
                                 "(Zone Editor), not in Advanced DNS."),
    ),
    ttl_label="Automatic",
    ui_path=("Domain List", "Manage", "Advanced DNS", "Host Records"),
    type_value="TXT Record", name_field="Host", value_field="Value",
    rejects=("quote",),
    notes=("Embedded double quotes are rejected: paste the text without quotes.",),
    unconfirmed=(
        _SPLIT_UNKNOWN,
        "pdns1/pdns2.registrar-servers.com are Namecheap PremiumDNS (attribution from usage).",
        _UI_LABELS,
    ),
    sources=("Namecheap KB 767", "DNSControl providers/namecheap/auditrecords.go",
             _MS_HOWTO.format("namecheap")),
)

ROUTE53 = Host(
    key="route53", name="AWS Route 53", kind=Kind.DNS_HOST, value_format="quoted",
    apex=Apex.BLANK, quoting=Quoting.QUOTE_EACH, splitting=Splitting.USER,
    ns_patterns=("awsdns-*.com", "awsdns-*.net", "awsdns-*.org", "awsdns-*.co.uk"),
    default_ttl=300, ttl_label="300",
    ui_path=("Route 53 console", "Hosted zones", "your zone"),
    name_field="Record name", value_field="Value", ttl_field="TTL (seconds)",
    one_rrset=True,
    notes=(
        "Every TXT value at a name is one record set, one value per line: the SPF record "
        "is its own line, and the other lines must stay.",
        "Each character-string is typed in double quotes; a value over 255 characters that "
        "is not split fails with InvalidChangeBatch (CharacterStringTooLong).",
    ),
    unconfirmed=(
        "An older Microsoft how-to says the quotes are supplied automatically; that was the "
        "old console.",
        _UI_LABELS,
    ),
    sources=("AWS Route53 DeveloperGuide ResourceRecordTypes.html#TXTFormat",
             _MS_HOWTO.format("aws")),
)

AZURE = Host(
    key="azure", name="Azure DNS", kind=Kind.DNS_HOST, value_format="plain",
    apex=Apex.AT, quoting=Quoting.NO_QUOTES, splitting=Splitting.HOST,
    ns_patterns=("azure-dns.com", "azure-dns.net", "azure-dns.org", "azure-dns.info"),
    max_value_octets=4096,
    value_cap_note="at most 4096 characters per record set (1024 in national clouds)",
    default_ttl=3600,
    ui_path=("Azure portal", "DNS zones", "your zone", "Recordsets"),
    one_rrset=True,
    notes=("Give one string per record; Azure divides it into 255-character segments.",),
    unconfirmed=("Default TTL 3600.", _UI_LABELS),
    sources=("MicrosoftDocs/azure-docs articles/dns/dns-zones-records.md (TXT records)",),
)

GOOGLE_CLOUD_DNS = Host(
    key="google-cloud-dns", name="Google Cloud DNS", kind=Kind.DNS_HOST,
    value_format="quoted", apex=Apex.FQDN, quoting=Quoting.QUOTE_EACH,
    splitting=Splitting.USER,
    ns_patterns=("googledomains.com",),
    ns_notes=(("googledomains.com", "ns-cloud-*.googledomains.com also serves zones of the "
                                    "former Google Domains now run by Squarespace."),),
    default_ttl=300, ttl_label="required; 300 suggested",
    ui_path=("Google Cloud console", "Network services", "Cloud DNS", "your zone"),
    name_field="DNS name", value_field="TXT data", one_rrset=True,
    notes=("Unquoted data is split on spaces into separate strings "
           "(\"v=spf1\" \"include:...\"), which breaks SPF: keep the quotes.",),
    unconfirmed=(_UI_LABELS,),
    sources=("hashicorp/terraform#13463", "terraform-provider-google#232"),
)

SQUARESPACE = Host(
    key="squarespace", name="Squarespace Domains", kind=Kind.DNS_HOST,
    value_format="plain", apex=Apex.AT, quoting=Quoting.NO_QUOTES,
    splitting=Splitting.HOST,
    ns_patterns=("googledomains.com",),
    ns_notes=(("googledomains.com", "Shared with Google Cloud DNS; Squarespace's own "
                                    "nameserver names are not known to spflint."),),
    default_ttl=3600, ttl_label="1H",
    ui_path=("Squarespace Domains", "your domain", "DNS", "DNS Settings"),
    name_field="Host", value_field="Data", one_rrset=True,
    notes=("Google Domains kept every TXT value at a name in one record set: add the value to "
           "that set, or the UI reports a duplicate record.",),
    unconfirmed=(
        "Apex written as @.",
        "Squarespace keeps Google Domains' single TXT record set.",
        _SPLIT_UNKNOWN,
        _UI_LABELS,
    ),
    sources=(_MS_HOWTO.format("google-domains"), "support.squarespace.com (2023-09-07 transfer)"),
)

DIGITALOCEAN = Host(
    key="digitalocean", name="DigitalOcean", kind=Kind.DNS_HOST, value_format="plain",
    apex=Apex.AT, quoting=Quoting.NO_QUOTES, splitting=Splitting.HOST,
    ns_patterns=("digitalocean.com",),
    max_value_octets=509,
    value_cap_note="the encoded request must stay within 512 octets (DNSControl uses 509 for "
                   "the value)",
    ui_path=("Control panel", "Networking", "Domains", "your domain"),
    name_field="Hostname", value_field="Value",
    rejects=("backslash",),
    unconfirmed=("Apex written as @.", _SPLIT_UNKNOWN, "Default TTL.", _UI_LABELS),
    sources=("DNSControl documentation/provider/digitalocean.md (Limitations)",
             "DNSControl providers/digitalocean/auditrecords.go"),
)

GANDI = Host(
    key="gandi", name="Gandi LiveDNS", kind=Kind.DNS_HOST, value_format="quoted",
    apex=Apex.AT, quoting=Quoting.QUOTE_EACH, splitting=Splitting.USER,
    ns_patterns=("gandi.net",),
    default_ttl=10800,
    ui_path=("Gandi", "Domain", "your domain", "DNS Records"),
    one_rrset=True,
    notes=("Records with the same name and type form one record set.",),
    unconfirmed=(
        "The record form wants the zone-file quoting of Gandi's own examples "
        "(@ 10800 IN TXT \"v=spf1 ...\").",
        _SPLIT_UNKNOWN,
        _UI_LABELS,
    ),
    sources=("helpdesk.gandi.net: What is an SPF record", "libdns-gandi README"),
)

OVH = Host(
    key="ovh", name="OVHcloud", kind=Kind.DNS_HOST, value_format="plain",
    apex=Apex.BLANK, quoting=Quoting.NO_QUOTES, splitting=Splitting.HOST,
    ns_patterns=("ovh.net", "ovh.ca", "anycast.me"),
    default_ttl=3600,
    ui_path=("OVHcloud Control Panel", "Web Cloud", "Domain names", "your domain", "DNS zone",
             "Add an entry"),
    name_field="Sub-domain", value_field="Value",
    unconfirmed=(_SPLIT_UNKNOWN, _UI_LABELS),
    sources=(_MS_HOWTO.format("ovh"), "ovh/docs DNS guides"),
)

IONOS = Host(
    key="ionos", name="IONOS", kind=Kind.DNS_HOST, value_format="plain",
    apex=Apex.BLANK, quoting=Quoting.NO_QUOTES, splitting=Splitting.HOST,
    ns_patterns=("ui-dns.de", "ui-dns.biz", "ui-dns.org", "ui-dns.com"),
    default_ttl=3600, ttl_label="1 hour",
    ui_path=("IONOS", "Domains & SSL", "your domain", "DNS", "Add record"),
    type_value="SPF (TXT)", name_field="Host name", value_field="Value",
    notes=("IONOS offers a dedicated 'SPF (TXT)' type; it publishes a TXT record.",),
    unconfirmed=(_SPLIT_UNKNOWN, _UI_LABELS),
    sources=(_MS_HOWTO.format("ionos-com"), "ionos.es / ionos.it DNS server help"),
)

HOVER = Host(
    key="hover", name="Hover", kind=Kind.DNS_HOST, value_format="plain",
    apex=Apex.AT, quoting=Quoting.NO_QUOTES, splitting=Splitting.HOST,
    ns_patterns=("hover.com",),
    ui_path=("Hover control panel", "your domain", "DNS", "Add a record"),
    name_field="Hostname", value_field="Content",
    unconfirmed=(_SPLIT_UNKNOWN, "Default TTL.", _UI_LABELS),
    sources=(_MS_HOWTO.format("hover"),),
)

PORKBUN = Host(
    key="porkbun", name="Porkbun", kind=Kind.DNS_HOST, value_format="plain",
    apex=Apex.BLANK, quoting=Quoting.NO_QUOTES, splitting=Splitting.HOST,
    ns_patterns=("ns.porkbun.com",),
    default_ttl=600,
    ui_path=("Porkbun", "Domain Management", "your domain", "DNS"),
    name_field="Host", value_field="Answer",
    rejects=("trailing-space", "empty"),
    unconfirmed=("Apex left blank.", "Default TTL 600.", _SPLIT_UNKNOWN, _UI_LABELS),
    sources=("DNSControl providers/porkbun/auditrecords.go",),
)

NAMECOM = Host(
    key="namecom", name="Name.com", kind=Kind.DNS_HOST, value_format="plain",
    apex=Apex.BLANK, quoting=Quoting.NO_QUOTES, splitting=Splitting.HOST,
    ns_patterns=("name.com",),
    max_value_octets=512,
    value_cap_note="the encoded value must stay within about 512 octets",
    default_ttl=300,
    ui_path=("Name.com", "My Domains", "your domain", "Manage DNS Records"),
    name_field="Host", value_field="Answer",
    rejects=("quote", "trailing-space"),
    notes=("Leave the Host field empty for the domain itself.",),
    unconfirmed=(_SPLIT_UNKNOWN, _UI_LABELS),
    sources=(_MS_HOWTO.format("name-com"), "DNSControl providers/namedotcom/auditrecords.go"),
)

HETZNER = Host(
    key="hetzner", name="Hetzner DNS", kind=Kind.DNS_HOST, value_format="quoted",
    apex=Apex.AT, quoting=Quoting.QUOTE_EACH, splitting=Splitting.USER,
    ns_patterns=("ns.hetzner.com", "ns.hetzner.de", "first-ns.de", "second-ns.de",
                 "second-ns.com"),
    ns_notes=(
        ("first-ns.de", "Hetzner Robot's legacy nameservers (attribution unconfirmed)."),
        ("second-ns.de", "Hetzner Robot's legacy nameservers (attribution unconfirmed)."),
        ("second-ns.com", "Hetzner Robot's legacy nameservers (attribution unconfirmed)."),
    ),
    ui_path=("Hetzner Console", "DNS", "your zone", "Add record"),
    notes=("API and infrastructure-as-code values must be quoted strings.",
           "Primary zones always keep Hetzner's nameservers."),
    unconfirmed=(
        "Apex written as @.",
        "The web form wants the same quoted strings as the API.",
        "*.first-ns.de and *.second-ns.* belong to Hetzner Robot.",
        "Default TTL.",
        _UI_LABELS,
    ),
    sources=("terraform-provider-hetznerdns#7 and PR#25", "docs.hetzner.com name-servers FAQ"),
)

NS1 = Host(
    key="ns1", name="NS1 (IBM NS1 Connect)", kind=Kind.DNS_HOST, value_format="quoted",
    apex=Apex.AT, quoting=Quoting.QUOTE_EACH, splitting=Splitting.USER,
    ns_patterns=("nsone.net",),
    ns_notes=(("nsone.net", "NS1 also runs the nameservers behind Netlify DNS and netcup: if "
                            "you manage the zone there, use that provider's screens."),),
    ui_path=("NS1 portal", "Zones", "your zone", "Add record"),
    notes=("Unquoted words become separate strings: keep each string in quotes.",),
    unconfirmed=("Apex written as @.", _SPLIT_UNKNOWN, "Default TTL.", _UI_LABELS),
    sources=("DNSControl#269", "indianajson/can-i-take-over-dns README"),
)

TRANSIP = Host(
    key="transip", name="TransIP", kind=Kind.DNS_HOST, value_format="plain",
    apex=Apex.AT, quoting=Quoting.NO_QUOTES, splitting=Splitting.HOST,
    ns_patterns=("transip.net", "transip.nl", "transip.eu"),
    max_value_octets=1024,
    value_cap_note="values are cut at 1024 characters",
    ui_path=("TransIP control panel", "Domains", "your domain", "DNS"),
    unconfirmed=("Nameserver names (ns0.transip.net, ns1.transip.nl, ns2.transip.eu).",
                 "Apex written as @.", "Default TTL.", _UI_LABELS),
    sources=("DNSControl#2272",),
)

HOSTS: tuple[Host, ...] = (
    CLOUDFLARE, GODADDY, NAMECHEAP, ROUTE53, AZURE, GOOGLE_CLOUD_DNS, SQUARESPACE, DIGITALOCEAN,
    GANDI, OVH, IONOS, HOVER, PORKBUN, NAMECOM, HETZNER, NS1, TRANSIP,
)
