import pytest

from tests.fakes.wechat import FakeWechat
from tests.helpers import client_for, institution, make_user
from users.models import UserType


@pytest.fixture
def ecnu(db):
    return institution("ecnu", "华东师范大学")


@pytest.fixture
def other_inst(db):
    return institution("sjtu", "上海交通大学")


@pytest.fixture
def sysadmin(ecnu):
    return make_user(UserType.ADMIN, inst=ecnu, username="root", name="系统管理员")


@pytest.fixture
def inst_admin(ecnu):
    return make_user(UserType.INSTITUTION, inst=ecnu, username="ecnu_admin", name="机构管理员")


@pytest.fixture
def other_admin(other_inst):
    return make_user(UserType.INSTITUTION, inst=other_inst, username="sjtu_admin")


@pytest.fixture
def supervisor(ecnu):
    return make_user(UserType.SUPERVISOR, inst=ecnu, username="zhouyu", name="周瑜", gender="女")


@pytest.fixture
def counselor(ecnu):
    return make_user(UserType.COUNSELOR, inst=ecnu, username="liMeijin", name="李玫瑾", gender="女")


@pytest.fixture
def visitor(ecnu):
    return make_user(
        UserType.VISITOR,
        inst=ecnu,
        username="o92QK5jwNNeMQG_X4GYDngC978iw",
        open_id="o92QK5jwNNeMQG_X4GYDngC978iw",
    )


@pytest.fixture
def as_user():
    return client_for


@pytest.fixture
def anon():
    return client_for(None)


@pytest.fixture
def wechat(settings, ecnu):
    fake = FakeWechat().start()
    fake.secrets["wx4f4bc4dec97d474b"] = "app-secret"
    fake.secrets["wxsecondapp000001"] = "second-secret"
    settings.WECHAT_API_BASE = fake.base_url
    settings.WECHAT_APPS = "wx4f4bc4dec97d474b:app-secret:ecnu,wxsecondapp000001:second-secret"
    yield fake
    fake.stop()


@pytest.fixture
def http_server(transactional_db):
    """Base URL of a live server (real sockets, threads, its own database connections)."""
    from tests.livehttp import start_live_server

    thread, url = start_live_server()
    yield url
    thread.terminate()


TIM_KEY = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e"


@pytest.fixture
def tim(settings):
    """Tencent IM configured, its REST API played by a local server."""
    from tests.fakes.tim import FakeTim

    fake = FakeTim(TIM_KEY, 1400000000).start()
    settings.TIM_SDKAPPID = "1400000000"
    settings.TIM_SECRET_KEY = TIM_KEY
    settings.TIM_API_BASE = fake.base_url
    settings.TIM_CALLBACK_TOKEN = ""
    yield fake
    fake.stop()


@pytest.fixture
def job_queue(transactional_db):
    """The background job queue, empty, with a real worker to run it (tests/workers.py)."""
    from tests.workers import JobQueue, clear_queue

    clear_queue()
    yield JobQueue()
    clear_queue()


@pytest.fixture(scope="session", autouse=True)
def _suite_log_capture():
    """Collect what the suite logs for the log scanner (tests/zz_log_scan)."""
    from tests.logscan import suite_capture

    with suite_capture() as lines:
        yield lines
