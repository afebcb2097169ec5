from django.urls import include, path

from tumbuh.accounts import views as account_views
from tumbuh.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("fokus/", core_views.set_focus, name="set_focus"),
    path("masuk/", account_views.TumbuhLoginView.as_view(), name="login"),
    path("keluar/", account_views.logout_view, name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("akun/", include("tumbuh.accounts.urls")),
    path("wilayah/", include("tumbuh.wilayah.urls")),
    path("organisasi/", include("tumbuh.organisation.urls")),
    path("audit/", include("tumbuh.audit.urls")),
    path("impor/pengukuran/", include("tumbuh.measurements.import_urls")),
    path("impor/", include("tumbuh.imports.urls")),
    # Before anak/: the offline entry page lives under the posyandu entry's own address.
    path("anak/kunjungan/luring/", include("tumbuh.offline.page_urls")),
    path("api/luring/", include("tumbuh.offline.urls")),
    path("anak/", include("tumbuh.measurements.urls")),
    path("dasbor/", include("tumbuh.dashboards.urls")),
    path("peta/", include("tumbuh.maps.urls")),
    path("publik/", include("tumbuh.publik.urls")),
    path("dokumen/", include("tumbuh.documents.urls")),
    path("aksi/", include("tumbuh.aksi.urls")),
    path("indikator/", include("tumbuh.indikator.urls")),
    path("analisis/", include("tumbuh.analisis.urls")),
    path("rencana/", include("tumbuh.rencana.urls")),
    path("rembuk/", include("tumbuh.rembuk.urls")),
    path("reviu/", include("tumbuh.reviu.urls")),
    path("tpps/", include("tumbuh.tpps.urls")),
    path("rapat/", include("tumbuh.rapat.urls")),
    path("laporan-semester/", include("tumbuh.semester.urls")),
    path("krs/", include("tumbuh.krs.urls")),
    path("genting/", include("tumbuh.genting.urls")),
    path("desa/", include("tumbuh.konvergensi_desa.urls")),
    path("penilaian/", include("tumbuh.penilaian.urls")),
]

# 403 and 404 are Django's views with Tumbuh's templates (core/templates); 400 renders with the request, in the layout;
# 500 renders 500.html, or 503.html when the database is unreachable (a restart), with no request context and no query.
handler400 = "tumbuh.core.views.bad_request"
handler500 = "tumbuh.core.views.server_error"
