"""Pieces every handler module uses (handlers/common/core.py: the context type, replies, the
admin gate, input errors, agent choices, the rule that edited messages are not commands), the
paged lists' replies and ◀ ▶ handlers (handlers/common/lists.py) and the filters handler groups
share (handlers/common/filters.py), imported from here."""

from handlers.common.core import (
    AGENT_CHOICES as AGENT_CHOICES,
)
from handlers.common.core import (
    AGENT_COMMANDS as AGENT_COMMANDS,
)
from handlers.common.core import (
    COMMAND_PATTERN as COMMAND_PATTERN,
)
from handlers.common.core import (
    GATE_THROTTLES_KEY as GATE_THROTTLES_KEY,
)
from handlers.common.core import (
    GROUP_ANONYMOUS_BOT_ID as GROUP_ANONYMOUS_BOT_ID,
)
from handlers.common.core import (
    HINT_INTERVAL_SECONDS as HINT_INTERVAL_SECONDS,
)
from handlers.common.core import (
    POINTER_INTERVAL_SECONDS as POINTER_INTERVAL_SECONDS,
)
from handlers.common.core import (
    REFUSAL_AUDIT_INTERVAL_SECONDS as REFUSAL_AUDIT_INTERVAL_SECONDS,
)
from handlers.common.core import (
    Context as Context,
)
from handlers.common.core import (
    GateThrottles as GateThrottles,
)
from handlers.common.core import (
    Handler as Handler,
)
from handlers.common.core import (
    ListRows as ListRows,
)
from handlers.common.core import (
    Returning as Returning,
)
from handlers.common.core import (
    Taken as Taken,
)
from handlers.common.core import (
    actor_id as actor_id,
)
from handlers.common.core import (
    admin_only as admin_only,
)
from handlers.common.core import (
    agent_choice_label as agent_choice_label,
)
from handlers.common.core import (
    clicked as clicked,
)
from handlers.common.core import (
    command_args as command_args,
)
from handlers.common.core import (
    drop_clicked_row as drop_clicked_row,
)
from handlers.common.core import (
    gate_throttles as gate_throttles,
)
from handlers.common.core import (
    ignore_edits as ignore_edits,
)
from handlers.common.core import (
    message_text as message_text,
)
from handlers.common.core import (
    offers_agent_choice as offers_agent_choice,
)
from handlers.common.core import (
    only_one_at_a_time as only_one_at_a_time,
)
from handlers.common.core import (
    owner_only as owner_only,
)
from handlers.common.core import (
    raw_command_args as raw_command_args,
)
from handlers.common.core import (
    record_started_bot as record_started_bot,
)
from handlers.common.core import (
    remember as remember,
)
from handlers.common.core import (
    reply as reply,
)
from handlers.common.core import (
    shop_name as shop_name,
)
from handlers.common.core import (
    take_once as take_once,
)
from handlers.common.core import (
    typed_in_group as typed_in_group,
)
from handlers.common.core import (
    user_data as user_data,
)
from handlers.common.core import (
    user_store as user_store,
)
from handlers.common.core import (
    validated as validated,
)
from handlers.common.filters import (
    GROUP_MESSAGE as GROUP_MESSAGE,
)
from handlers.common.lists import (
    KeyedListSource as KeyedListSource,
)
from handlers.common.lists import (
    ListSource as ListSource,
)
from handlers.common.lists import (
    keyed_list_page_handler as keyed_list_page_handler,
)
from handlers.common.lists import (
    list_page_handler as list_page_handler,
)
from handlers.common.lists import (
    page_buttons as page_buttons,
)
from handlers.common.lists import (
    send_keyed_list as send_keyed_list,
)
from handlers.common.lists import (
    send_list as send_list,
)
from handlers.common.lists import (
    send_stored_list as send_stored_list,
)
from handlers.common.lists import (
    stored_list_page_handler as stored_list_page_handler,
)
