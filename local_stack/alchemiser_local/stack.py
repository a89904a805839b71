"""template.yaml, created in the emulator as one CloudFormation stack.

The translated template goes to the emulator's CloudFormation with the emulator's gaps
closed (ARCHITECTURE.md, "Local stack"): resources it cannot create are kept aside and
played by this package instead (schedules, async invoke configs), function targets of
rules become per-function delivery queues (EventBridge here cannot invoke Lambda), and
the quirks of moto 5.2 are worked around one by one, each named below. Once the stack
exists, every name the local stack uses (functions, queue URLs, tables) is what the stack
reports it created (its physical ids), never rebuilt from the template.

Set aside too: CodeDeploy. The local stack publishes no versions and moves no aliases, so
there is no deployment to run (moto's CloudFormation cannot create CodeDeploy resources
either); the pre-traffic hook function is created like any function and a test drives it
against the local stack (``lambda_endpoint`` answers its status report). The saved Logs
Insights queries (``AWS::Logs::QueryDefinition``) are set aside: moto has none; a test
evaluates them over what the local stack writes to its log groups. A reference to
anything set aside (``${ServerlessDeploymentApplication}`` in the hook's policy) becomes a
``<logical id>-not-created-locally`` name.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from alchemiser_local.template import (
    CODE_BUCKET,
    CODE_PROPERTIES,
    load_template,
    sub_stage,
    translate_template,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from pathlib import Path

    from mypy_boto3_cloudformation import CloudFormationClient

    from alchemiser_local.iam import Principals

__all__ = [
    "FunctionSpec",
    "LocalStack",
    "PreparedStack",
    "ScheduleSpec",
    "StackError",
    "create",
    "prepare",
]

#: Played by the local stack itself, or meaningless without AWS (alarms, policies).
SET_ASIDE = frozenset(
    {
        "AWS::Scheduler::Schedule",
        "AWS::CloudWatch::Alarm",
        "AWS::CloudWatch::Dashboard",
        "AWS::SQS::QueuePolicy",
        "AWS::SNS::Subscription",
        "AWS::SNS::TopicPolicy",
        "AWS::S3::BucketPolicy",
        "AWS::Logs::MetricFilter",
        "AWS::Logs::QueryDefinition",
        "AWS::Lambda::EventInvokeConfig",
        "AWS::Lambda::Alias",
        "AWS::Lambda::Version",
        "AWS::Lambda::Permission",
        "AWS::CodeDeploy::Application",
        "AWS::CodeDeploy::DeploymentGroup",
    }
)
#: ``${LogicalId}`` or ``${LogicalId.Attribute}`` in a ``!Sub`` string.
_SUB_REFERENCE = re.compile(r"\$\{([A-Za-z0-9]+)(?:\.[A-Za-z0-9.]+)?\}")
#: moto caps archive names at 48 characters.
MAX_ARCHIVE_NAME = 48
#: The role the template's schedules invoke their targets with.
_SCHEDULER_ROLE = "SchedulerRole"


class StackError(Exception):
    """Raised when the emulator refuses the stack."""


@dataclass(frozen=True)
class FunctionSpec:
    """One function as Lambda would run it: code, handler, environment, async settings."""

    logical_id: str
    name: str
    handler: str
    code_dir: Path
    environment: dict[str, str]
    timeout_seconds: float
    max_retry_attempts: int
    on_failure_queue_url: str | None
    delivery_queue_url: str | None
    #: Where Lambda writes the function's logs (``LoggingConfig.LogGroup``, or its default).
    log_group: str = ""
    memory_mb: int = 128
    #: The execution role the stack gave it (its ARN: what Lambda assumes to run it).
    role_arn: str = ""


@dataclass(frozen=True)
class ScheduleSpec:
    """An EventBridge Scheduler schedule: its target function and raw Input."""

    logical_id: str
    name: str
    function: str
    input: str
    expression: str
    timezone: str


@dataclass(frozen=True)
class LocalStack:
    """The created stack: names an operator (or the local runner) needs."""

    stage: str
    stack_name: str
    functions: dict[str, FunctionSpec]
    schedules: tuple[ScheduleSpec, ...]
    outputs: dict[str, str]
    physical_ids: dict[str, str] = field(repr=False)
    #: Topic logical id -> the queue its rule targets deliver to (see ``_rewire_rules``).
    topic_queues: dict[str, str] = field(default_factory=dict)
    #: With IAM enforced: whose credentials each part of the stack runs with.
    principals: Principals | None = field(default=None, repr=False)

    def schedule(self, name: str) -> ScheduleSpec:
        """A schedule by logical id (``DailyTradeSchedule``) or by name.

        Raises:
            LookupError: naming the schedules there are.
        """
        for schedule in self.schedules:
            if name in (schedule.logical_id, schedule.name):
                return schedule
        known = ", ".join(s.logical_id for s in self.schedules)
        raise LookupError(f"no schedule {name!r} in the stack; schedules: {known}")


def _walk(node: Any, replace: Any) -> Any:  # noqa: ANN401 - JSON-like template nodes
    """Rebuild ``node`` bottom-up, letting ``replace`` swap any dict node."""
    if isinstance(node, list):
        return [_walk(item, replace) for item in node]
    if isinstance(node, dict):
        rebuilt = {key: _walk(value, replace) for key, value in node.items()}
        return replace(rebuilt)
    return node


def _references(node: Any) -> set[str]:  # noqa: ANN401
    found: set[str] = set()

    def collect(item: dict[str, Any]) -> dict[str, Any]:
        if "Ref" in item:
            found.add(str(item["Ref"]))
        if "Fn::GetAtt" in item:
            found.add(str(item["Fn::GetAtt"][0]))
        return item

    _walk(node, collect)
    return found


def _function_of(resources: dict[str, Any], logical_id: str) -> str | None:
    resource = resources.get(logical_id)
    if resource is None:
        return None
    if resource["Type"] == "AWS::Lambda::Function":
        return logical_id
    if resource["Type"] in {"AWS::Lambda::Alias", "AWS::Lambda::Version"}:
        return _function_of(resources, resource["Properties"]["FunctionName"]["Ref"])
    return None


def _target_function(resources: dict[str, Any], arn: Any) -> str | None:  # noqa: ANN401
    if isinstance(arn, dict) and "Ref" in arn:
        return _function_of(resources, arn["Ref"])
    if isinstance(arn, dict) and "Fn::GetAtt" in arn:
        return _function_of(resources, arn["Fn::GetAtt"][0])
    return None


def delivery_queue_id(target: str) -> str:
    """The logical id of the queue standing in for a function or topic as a rule target."""
    return f"{target}LocalDelivery"


@dataclass
class _Prepared:
    template: dict[str, Any]
    set_aside: dict[str, Any]
    delivered_functions: set[str]
    delivered_topics: set[str] = field(default_factory=set)


def _topic_of(resources: dict[str, Any], arn: Any) -> str | None:  # noqa: ANN401
    ref = arn.get("Ref") if isinstance(arn, dict) else None
    if isinstance(ref, str) and resources.get(ref, {}).get("Type") == "AWS::SNS::Topic":
        return ref
    return None


def _stand_in(resources: dict[str, Any], target: dict[str, Any]) -> tuple[str, str] | None:
    """``("function" | "topic", logical id)`` when the emulator cannot deliver to ``target``."""
    function = _target_function(resources, target["Arn"])
    if function is not None:
        return "function", function
    topic = _topic_of(resources, target["Arn"])
    return ("topic", topic) if topic is not None else None


def _rewire_rules(resources: dict[str, Any], stage: str) -> tuple[set[str], set[str]]:
    """Function and topic targets become delivery queues; misdelivering rules are dropped.

    moto's EventBridge can deliver to neither a function nor an SNS topic (a topic target
    fails the whole PutEvents with a 500), so each stands behind a queue: a function's is
    invoked from it (``delivery``), a topic's holds what the topic would have sent.
    """
    stood_in: dict[str, set[str]] = {"function": set(), "topic": set()}
    for logical_id, rule in _of_types(resources, "AWS::Events::Rule").items():
        props = rule["Properties"]
        if props.get("State", "ENABLED") != "ENABLED" or not props.get("EventPattern"):
            # moto delivers for disabled rules, and sends every event to one without pattern
            del resources[logical_id]
            continue
        for target in props.get("Targets", []):
            if (found := _stand_in(resources, target)) is not None:
                stood_in[found[0]].add(found[1])
                target["Arn"] = {"Fn::GetAtt": [delivery_queue_id(found[1]), "Arn"]}
    for target in stood_in["function"] | stood_in["topic"]:
        resources[delivery_queue_id(target)] = {
            "Type": "AWS::SQS::Queue",
            "Properties": {
                "QueueName": f"alchemiser-{stage}-{target.lower()}-local-delivery",
                "VisibilityTimeout": 900,
            },
        }
    return stood_in["function"], stood_in["topic"]


def _of_types(resources: dict[str, Any], *types: str) -> dict[str, Any]:
    return {logical_id: body for logical_id, body in resources.items() if body["Type"] in types}


def _local_references(
    translated: dict[str, Any], set_aside: dict[str, Any], stage: str
) -> Callable[[dict[str, Any]], dict[str, Any] | str]:
    """The ``_walk`` replacement for the ``Ref``s the emulator would get wrong."""
    aliases = {
        logical_id: _function_of(translated["Resources"], logical_id)
        for logical_id in _of_types(set_aside, "AWS::Lambda::Alias", "AWS::Lambda::Version")
    }
    bus_names = {
        logical_id: sub_stage(body["Properties"]["Name"], stage)
        for logical_id, body in _of_types(translated["Resources"], "AWS::Events::EventBus").items()
    }
    # What is set aside is not there to refer to: a name stands in (the CodeDeploy
    # application in the deploy hook's policy, say).
    absent = {logical_id: f"{logical_id}-not-created-locally" for logical_id in set_aside}
    # ...except a schedule's ARN: the local stack creates schedules itself, in "default".
    schedule_arns = {
        logical_id: {
            "Fn::Sub": "arn:${AWS::Partition}:scheduler:${AWS::Region}:${AWS::AccountId}:"
            f"schedule/default/{sub_stage(body['Properties']['Name'], stage)}"
        }
        for logical_id, body in _of_types(set_aside, "AWS::Scheduler::Schedule").items()
    }

    def in_sub(text: str) -> str:
        return _SUB_REFERENCE.sub(lambda m: absent.get(m[1], m[0]), text)

    def local_reference(node: dict[str, Any]) -> dict[str, Any] | str:
        get_att = node.get("Fn::GetAtt") or [None, None]
        if get_att[1] == "Arn" and get_att[0] in schedule_arns:
            return schedule_arns[get_att[0]]
        ref = node.get("Ref")
        if ref in aliases:  # aliases are not created: point at the function itself
            return {"Fn::GetAtt": [aliases[ref], "Arn"]}
        if ref in bus_names:  # moto's Ref of a bus yields an internal object
            return bus_names[ref]
        if ref in absent:
            return absent[ref]
        if isinstance(node.get("Fn::Sub"), str):
            return {"Fn::Sub": in_sub(node["Fn::Sub"])}
        return node

    return local_reference


def _archives_for_moto(resources: dict[str, Any], stage: str) -> None:
    """Archives as moto takes them: names of at most 48 characters, patterns as text."""
    for body in _of_types(resources, "AWS::Events::Archive").values():
        props = body["Properties"]
        props["ArchiveName"] = sub_stage(props["ArchiveName"], stage)[:MAX_ARCHIVE_NAME]
        props["EventPattern"] = json.dumps(props["EventPattern"])


def _prepare(translated: dict[str, Any], stage: str) -> _Prepared:
    template = json.loads(json.dumps(translated))
    resources: dict[str, Any] = template["Resources"]
    set_aside = {k: v for k, v in resources.items() if v["Type"] in SET_ASIDE}
    delivered, topics = _rewire_rules(resources, stage)
    for logical_id in set_aside:
        del resources[logical_id]
    template["Resources"] = _walk(resources, _local_references(translated, set_aside, stage))
    _archives_for_moto(template["Resources"], stage)
    not_created = set(set_aside) | set(_of_types(resources, "AWS::Lambda::LayerVersion"))
    template["Outputs"] = {
        key: output
        for key, output in template.get("Outputs", {}).items()
        if not _references(output) & not_created  # moto: Ref of a layer
    }
    return _Prepared(
        template=template,
        set_aside=set_aside,
        delivered_functions=delivered,
        delivered_topics=topics,
    )


def _zip_dir(directory: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(directory.rglob("*.py")):
            if "__pycache__" not in path.parts:
                archive.write(path, path.relative_to(directory))
    return buffer.getvalue()


def _invoke_configs(set_aside: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Async invoke settings (retries, failure destination) per function logical id."""
    configs = {}
    for body in set_aside.values():
        if body["Type"] == "AWS::Lambda::EventInvokeConfig":
            props = body["Properties"]
            configs[props["FunctionName"]["Ref"]] = props
    return configs


def _functions(
    prepared: _Prepared, sam_template: dict[str, Any], root: Path, physical: dict[str, str]
) -> dict[str, FunctionSpec]:
    """Each function as the emulator's Lambda created it (names and queues: physical ids)."""
    import boto3  # noqa: PLC0415

    lambda_client = boto3.client("lambda")
    invoke_configs = _invoke_configs(prepared.set_aside)
    specs = {}
    for logical_id, body in prepared.template["Resources"].items():
        if body["Type"] != "AWS::Lambda::Function":
            continue
        config = lambda_client.get_function_configuration(FunctionName=physical[logical_id])
        invoke = invoke_configs.get(logical_id, {})
        on_failure = invoke.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination")
        log_group = body["Properties"].get("LoggingConfig", {}).get("LogGroup")
        default_group = f"/aws/lambda/{config['FunctionName']}"
        specs[logical_id] = FunctionSpec(
            logical_id=logical_id,
            name=config["FunctionName"],
            handler=config["Handler"],
            code_dir=root / sam_template["Resources"][logical_id]["Properties"]["CodeUri"],
            environment=dict(config.get("Environment", {}).get("Variables", {})),
            timeout_seconds=int(config.get("Timeout", 3)),
            # Lambda's default for asynchronous invocations is two retries.
            max_retry_attempts=int(invoke.get("MaximumRetryAttempts", 2)),
            # A queue's physical id is its URL.
            on_failure_queue_url=physical[on_failure["Fn::GetAtt"][0]] if on_failure else None,
            delivery_queue_url=physical.get(delivery_queue_id(logical_id)),
            # A log group's physical id is its name.
            log_group=physical[log_group["Ref"]] if log_group else default_group,
            memory_mb=int(config.get("MemorySize", 128)),
            role_arn=str(config.get("Role", "")),
        )
    return specs


def _schedules(prepared: _Prepared, stage: str) -> tuple[ScheduleSpec, ...]:
    """The template's schedules (moto's CloudFormation cannot create them: see below)."""
    resources = prepared.set_aside | prepared.template["Resources"]
    schedules = []
    for logical_id, body in _of_types(prepared.set_aside, "AWS::Scheduler::Schedule").items():
        props = body["Properties"]
        function = _target_function(resources, props["Target"]["Arn"])
        if function is None:
            raise StackError(f"schedule {props['Name']} does not target a function")
        schedules.append(
            ScheduleSpec(
                logical_id=logical_id,
                name=sub_stage(props["Name"], stage),
                function=function,
                input=props["Target"]["Input"],
                expression=props["ScheduleExpression"],
                timezone=props.get("ScheduleExpressionTimezone", "UTC"),
            )
        )
    return tuple(schedules)


def _create_schedules(
    schedules: tuple[ScheduleSpec, ...], functions: dict[str, FunctionSpec], role_arn: str
) -> None:
    """Create the schedules through moto's Scheduler API, as CloudFormation would.

    They never fire here (the local stack fires them), but ``get_schedule`` answers as on
    AWS, so ``alchemiser schedule fire`` reads a schedule the same way on both. The target
    is the function itself: aliases are not created locally.
    """
    import boto3  # noqa: PLC0415

    scheduler = boto3.client("scheduler")
    lambda_client = boto3.client("lambda")
    for schedule in schedules:
        function = lambda_client.get_function(FunctionName=functions[schedule.function].name)
        scheduler.create_schedule(
            Name=schedule.name,
            ScheduleExpression=schedule.expression,
            ScheduleExpressionTimezone=schedule.timezone,
            FlexibleTimeWindow={"Mode": "OFF"},
            Target={
                "Arn": function["Configuration"]["FunctionArn"],
                "RoleArn": role_arn,
                "Input": schedule.input,
            },
        )


def _apply_ttl(template: dict[str, Any], physical: dict[str, str]) -> None:
    """Set table TTLs through the API: moto ignores them in CloudFormation."""
    import boto3  # noqa: PLC0415

    dynamodb = boto3.client("dynamodb")
    for logical_id, body in template["Resources"].items():
        ttl = (
            body["Properties"].get("TimeToLiveSpecification")
            if body["Type"] == "AWS::DynamoDB::Table"
            else None
        )
        if ttl and ttl.get("Enabled"):
            dynamodb.update_time_to_live(
                TableName=physical[logical_id],  # a table's physical id is its name
                TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": True},
            )


@dataclass(frozen=True)
class PreparedStack:
    """Everything about the stack that needs no AWS: done while the emulator starts."""

    stage: str
    stack_name: str
    root: Path
    sam_template: dict[str, Any]
    prepared: _Prepared
    code: dict[str, bytes]
    parameters: dict[str, str] = field(default_factory=dict)


def prepare(
    *,
    root: Path,
    template_path: Path,
    stage: str,
    stack_name: str,
    parameters: Mapping[str, str] | None = None,
) -> PreparedStack:
    """Translate and adapt the template, and zip the code (no AWS call).

    ``parameters`` are template parameter overrides (``BrokerBackend=alpaca``), as
    ``sam deploy --parameter-overrides`` takes them; ``Stage`` is ``stage``.

    Raises:
        TemplateError: the template is missing, malformed or not valid SAM.
    """
    sam_template = load_template(template_path)
    overrides = {**(parameters or {}), "Stage": stage}
    translated = translate_template(template_path, parameters=overrides)
    code = {}
    for logical_id, body in sam_template["Resources"].items():
        prop = CODE_PROPERTIES.get(body["Type"])
        if prop:
            code[f"{logical_id}.zip"] = _zip_dir(root / body["Properties"][prop])
    return PreparedStack(
        stage=stage,
        stack_name=stack_name,
        root=root,
        sam_template=sam_template,
        prepared=_prepare(translated, stage),
        code=code,
        parameters=overrides,
    )


def _physical_ids(cloudformation: CloudFormationClient, stack_name: str) -> dict[str, str]:
    """What the stack reports it created: logical id -> physical id (name, URL or ARN)."""
    resources = cloudformation.describe_stack_resources(StackName=stack_name)["StackResources"]
    return {
        r["LogicalResourceId"]: r["PhysicalResourceId"]
        for r in resources
        if "LogicalResourceId" in r and "PhysicalResourceId" in r
    }


def create(stack: PreparedStack) -> LocalStack:
    """Create the prepared stack in the emulator this process points at.

    Raises:
        StackError: the emulator refused the stack.
    """
    import boto3  # noqa: PLC0415

    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=CODE_BUCKET)
    for key, body in stack.code.items():
        s3.put_object(Bucket=CODE_BUCKET, Key=key, Body=body)
    cloudformation = boto3.client("cloudformation")
    cloudformation.create_stack(
        StackName=stack.stack_name,
        TemplateBody=json.dumps(stack.prepared.template),
        Parameters=[
            {"ParameterKey": key, "ParameterValue": value}
            for key, value in sorted(stack.parameters.items())
        ],
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"],
    )
    created = cloudformation.describe_stacks(StackName=stack.stack_name)["Stacks"][0]
    if created["StackStatus"] != "CREATE_COMPLETE":
        raise StackError(
            f"{stack.stack_name}: {created['StackStatus']} {created.get('StackStatusReason')}"
        )
    physical = _physical_ids(cloudformation, stack.stack_name)
    _apply_ttl(stack.prepared.template, physical)
    functions = _functions(stack.prepared, stack.sam_template, stack.root, physical)
    schedules = _schedules(stack.prepared, stack.stage)
    role = boto3.client("iam").get_role(RoleName=physical[_SCHEDULER_ROLE])["Role"]["Arn"]
    _create_schedules(schedules, functions, role)
    return LocalStack(
        stage=stack.stage,
        stack_name=stack.stack_name,
        functions=functions,
        schedules=schedules,
        outputs={o["OutputKey"]: o["OutputValue"] for o in created.get("Outputs", [])},
        physical_ids=physical,
        topic_queues={
            topic: physical[delivery_queue_id(topic)] for topic in stack.prepared.delivered_topics
        },
    )
