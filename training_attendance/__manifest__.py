{
    "name": "Training Attendance",
    "summary": "Students, guardians, classes, sessions and attendance for training "
    "institutions, tutoring centres and after-school care",
    "version": "18.0.1.0.0",
    "category": "Education",
    "website": "https://github.com/training-attendance/training_attendance",
    "author": "Training Attendance Team",
    "license": "LGPL-3",
    "application": True,
    "installable": True,
    "post_init_hook": "_create_campus_policies",
    "depends": ["mail", "product", "resource"],
    "data": [
        "security/security.xml",
        "security/ir.model.access.csv",
        "security/rules.xml",
        "data/sequences.xml",
        "wizards/training_session_generate_views.xml",
        "wizards/training_enrollment_transition_views.xml",
        "views/res_partner_views.xml",
        "views/training_policy_views.xml",
        "views/training_course_views.xml",
        "views/training_class_views.xml",
        "views/training_enrollment_views.xml",
        "views/training_session_views.xml",
        "views/training_attendance_line_views.xml",
        "views/menus.xml",
    ],
    "demo": [
        "demo/training_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "training_attendance/static/tests/tours/*.js",
        ],
    },
}
