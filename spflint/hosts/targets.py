"""Zone files, infrastructure-as-code and command-line targets: one declarative entry each."""

from __future__ import annotations

from .model import Apex, Host, Kind, Quoting, Splitting

BIND = Host(
    key="bind", name="BIND zone file", kind=Kind.FILE, value_format="bind",
    apex=Apex.AT, quoting=Quoting.QUOTE_EACH, splitting=Splitting.USER,
    default_ttl=3600,
    notes=("Owner names are relative to the zone's $ORIGIN; @ is the origin itself.",
           "Several strings may be written ( \"...\" \"...\" ); they are joined without "
           "spaces.",
           "Increase the SOA serial when you edit the file."),
    sources=("RFC 1035 §5.1", "ISC KB aa-00356"),
)

OCTODNS = Host(
    key="octodns", name="octoDNS YAML", kind=Kind.FILE, value_format="octodns",
    apex=Apex.EMPTY_KEY, quoting=Quoting.NO_QUOTES, splitting=Splitting.HOST,
    default_ttl=3600,
    notes=("A ';' in a value must be written '\\;'.",
           "Values over 255 characters are chunked automatically.",
           "Use type TXT; type SPF is deprecated.",
           "When the name already has other records, make the key a list of records; other "
           "TXT values at the name go in the same record's 'values' list."),
    sources=("octodns/octodns docs/records.md", "octodns/record/chunked.py"),
)

DNSCONTROL = Host(
    key="dnscontrol", name="DNSControl dnsconfig.js", kind=Kind.FILE,
    value_format="dnscontrol", apex=Apex.AT, quoting=Quoting.NO_QUOTES,
    splitting=Splitting.HOST,
    notes=("Write a JavaScript string; DNSControl quotes and escapes it.",
           "Strings over 255 octets are split automatically, or the provider's audit rejects "
           "them: run 'dnscontrol check' (offline) before 'dnscontrol push'."),
    sources=("DNSControl documentation/functions/domain/TXT.md",
             "DNSControl advanced-features/testing-txt-records.md"),
)

TERRAFORM_AWS = Host(
    key="terraform-aws", name="Terraform aws_route53_record", kind=Kind.FILE,
    value_format="tf-route53", apex=Apex.NAME, quoting=Quoting.NO_QUOTES,
    splitting=Splitting.USER, default_ttl=300,
    notes=("The provider adds the outer quotes; a boundary between strings is written \\\"\\\" "
           "inside the value.",
           "One resource holds every TXT value at the name: keep the other values in the same "
           "records list."),
    sources=("terraform-provider-aws#14941", "terraform-provider-aws PR#47292, PR#47338"),
)

TERRAFORM_CLOUDFLARE = Host(
    key="terraform-cloudflare", name="Terraform cloudflare_dns_record", kind=Kind.FILE,
    value_format="tf-cloudflare", apex=Apex.NAME, quoting=Quoting.QUOTE_EACH,
    splitting=Splitting.USER, default_ttl=1, ttl_label="1 (automatic)",
    notes=("The provider does not add quotes: content holds quoted strings, or the dashboard "
           "warns about unquoted content.",
           "Content Cloudflare had to split itself drifts in every plan; giving strings of at "
           "most 255 octets avoids that."),
    unconfirmed=("That pre-split quoted content stops the drift reported for long values.",),
    sources=("cloudflare/terraform-provider-cloudflare #4650, #5351, #6238, #6354",),
)

TERRAFORM_AZURERM = Host(
    key="terraform-azurerm", name="Terraform azurerm_dns_txt_record", kind=Kind.FILE,
    value_format="tf-azurerm", apex=Apex.AT, quoting=Quoting.NO_QUOTES,
    splitting=Splitting.HOST, default_ttl=3600,
    max_value_octets=4096,
    value_cap_note="the provider's value limit was 1024 and is being raised toward 4096",
    notes=("Azure splits the value into 255-character strings.",
           "One resource holds every TXT value at the name: one record block each."),
    unconfirmed=("The value limit of your provider version (1024 or 4096).",),
    sources=("terraform-provider-azurerm#24152",),
)

TERRAFORM_GOOGLE = Host(
    key="terraform-google", name="Terraform google_dns_record_set", kind=Kind.FILE,
    value_format="tf-google", apex=Apex.FQDN, quoting=Quoting.QUOTE_EACH,
    splitting=Splitting.USER, default_ttl=300,
    notes=("Each rrdata must carry its own quotes, or it is split on spaces and the plan "
           "drifts forever.",
           "One resource holds every TXT value at the name: keep the others in rrdatas."),
    sources=("terraform-provider-google#232, #863, #5497, PR#266",),
)

AWS_CLI = Host(
    key="aws-cli", name="AWS CLI (route53 change-resource-record-sets)", kind=Kind.COMMAND,
    value_format="aws-cli", apex=Apex.FQDN, quoting=Quoting.QUOTE_EACH,
    splitting=Splitting.USER, default_ttl=300,
    notes=("Values are JSON strings that contain the quoted DNS strings: \"\\\"v=spf1 ...\\\"\".",
           "UPSERT replaces every TXT value at the name: add the other values of the set.",
           "Values read back from Route 53 are already quoted; do not quote them twice."),
    sources=("spf-tools route53.sh", "boto3#1462", "aws-sdk-js-v3#5626"),
)

AZ_CLI = Host(
    key="az-cli", name="Azure CLI (az network dns record-set txt)", kind=Kind.COMMAND,
    value_format="az-cli", apex=Apex.AT, quoting=Quoting.JOINS_UNQUOTED,
    splitting=Splitting.HOST, default_ttl=3600, max_value_octets=4096,
    value_cap_note="at most 4096 characters per record set (1024 in national clouds)",
    notes=("--value joins space-separated words without spaces: quote the whole value as one "
           "shell word.",
           "Azure splits the value into 255-character strings."),
    unconfirmed=("Unquoted SPF words would be joined without spaces (inferred from the --value "
                 "help text).",
                 "The --keep-empty-record-set option keeps the record set (and its TTL) while "
                 "the old value is swapped."),
    sources=("learn.microsoft.com/cli/azure/network/dns/record-set/txt",),
)

GCLOUD = Host(
    key="gcloud", name="gcloud dns record-sets", kind=Kind.COMMAND,
    value_format="gcloud", apex=Apex.FQDN, quoting=Quoting.QUOTE_EACH,
    splitting=Splitting.USER, default_ttl=300,
    notes=("--rrdatas takes a comma-separated list; each TXT rrdata keeps its own quotes.",
           "update replaces every TXT value at the name: list the others too."),
    sources=("hashicorp/terraform#13463", "terraform-provider-google#232"),
)

TARGETS: tuple[Host, ...] = (
    BIND, OCTODNS, DNSCONTROL, TERRAFORM_AWS, TERRAFORM_CLOUDFLARE, TERRAFORM_AZURERM,
    TERRAFORM_GOOGLE, AWS_CLI, AZ_CLI, GCLOUD,
)
