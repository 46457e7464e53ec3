#include "widgets/vtk_view.h"

#include <QMouseEvent>
#include <QOpenGLContext>
#include <QOpenGLExtraFunctions>
#include <QWheelEvent>
#include <cmath>
#include <vtkCallbackCommand.h>
#include <vtkCommand.h>
#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkGenericRenderWindowInteractor.h>
#include <vtkInteractorStyleTrackballCamera.h>
#include <vtkNew.h>
#include <vtkOpenGLFramebufferObject.h>
#include <vtkOpenGLState.h>
#include <vtkRenderer.h>

namespace ps {

struct VtkView::Impl {
    vtkNew<vtkGenericOpenGLRenderWindow> window;
    vtkNew<vtkRenderer> renderer;
    // The generic interactor needs no window-system event loop: we feed it Qt's events and it
    // runs the interactor style, which moves the camera and asks for a render.
    vtkNew<vtkGenericRenderWindowInteractor> interactor;
    vtkNew<vtkInteractorStyleTrackballCamera> style;
    vtkNew<vtkCallbackCommand> makeCurrent;
    vtkNew<vtkCallbackCommand> renderRequested;
    bool glReady = false; // OpenGLInitContext() ran on the current QOpenGLContext
};

namespace {

// Everything below the widget speaks device pixels with the origin at the bottom left.
void setEventPosition(vtkRenderWindowInteractor* interactor, const QWidget* widget,
                      const QPointF& pos, Qt::KeyboardModifiers modifiers, int repeat = 0) {
    const double dpr = widget->devicePixelRatioF();
    interactor->SetEventInformationFlipY(static_cast<int>(std::lround(pos.x() * dpr)),
                                         static_cast<int>(std::lround(pos.y() * dpr)),
                                         modifiers.testFlag(Qt::ControlModifier) ? 1 : 0,
                                         modifiers.testFlag(Qt::ShiftModifier) ? 1 : 0, 0, repeat);
    interactor->SetAltKey(modifiers.testFlag(Qt::AltModifier) ? 1 : 0);
}

unsigned long pressEvent(Qt::MouseButton button) {
    switch (button) {
    case Qt::LeftButton:
        return vtkCommand::LeftButtonPressEvent;
    case Qt::MiddleButton:
        return vtkCommand::MiddleButtonPressEvent;
    case Qt::RightButton:
        return vtkCommand::RightButtonPressEvent;
    default:
        return vtkCommand::NoEvent;
    }
}

unsigned long releaseEvent(Qt::MouseButton button) {
    switch (button) {
    case Qt::LeftButton:
        return vtkCommand::LeftButtonReleaseEvent;
    case Qt::MiddleButton:
        return vtkCommand::MiddleButtonReleaseEvent;
    case Qt::RightButton:
        return vtkCommand::RightButtonReleaseEvent;
    default:
        return vtkCommand::NoEvent;
    }
}

} // namespace

VtkView::VtkView(QWidget* parent) : QOpenGLWidget(parent), m_impl(std::make_unique<Impl>()) {
    // VTK 9.1 needs OpenGL 3.2 core or newer; ask for it rather than hope the default
    // (compatibility) context is new enough on every driver.
    QSurfaceFormat fmt = format();
    fmt.setRenderableType(QSurfaceFormat::OpenGL);
    fmt.setVersion(3, 2);
    fmt.setProfile(QSurfaceFormat::CoreProfile);
    setFormat(fmt);
    setFocusPolicy(Qt::StrongFocus);
    // VTK redraws the whole scene each frame.
    setUpdateBehavior(QOpenGLWidget::NoPartialUpdate);

    auto& d = *m_impl;
    // The context belongs to Qt: VTK is told it is there, current and capable, and renders into
    // its own framebuffers, which paintGL blits into the widget's (NoBlit: VTK must not blit
    // into whatever it thinks the hardware buffer is).
    d.window->SetOwnContext(false);
    d.window->SetIsCurrent(true);
    d.window->SetMapped(true);
    d.window->SetIsDirect(true);
    d.window->SetSupportsOpenGL(true);
    d.window->SetFrameBlitModeToNoBlit();
    d.window->SetForceMaximumHardwareLineWidth(1);
    // Until initializeGL there is no context: a Render() from anywhere must not touch OpenGL.
    d.window->SetReadyForRendering(false);
    d.window->AddRenderer(d.renderer);
    // Without this the blitted background can come out transparent (DESIGN.md). With this
    // widget's format (no alpha buffer) it stayed opaque here either way, so no test sees it.
    d.renderer->SetBackgroundAlpha(1.0);

    // VTK calls MakeCurrent() when it releases resources or renders outside paintGL.
    d.makeCurrent->SetClientData(this);
    d.makeCurrent->SetCallback([](vtkObject*, unsigned long, void* self, void*) {
        auto* view = static_cast<VtkView*>(self);
        if (view->context() && QOpenGLContext::currentContext() != view->context())
            view->makeCurrent();
    });
    d.window->AddObserver(vtkCommand::WindowMakeCurrentEvent, d.makeCurrent);

    d.interactor->SetRenderWindow(d.window);
    d.interactor->SetInteractorStyle(d.style);
    // The style's renders become Qt updates, so they happen in paintGL with the context current.
    d.interactor->EnableRenderOff();
    d.renderRequested->SetClientData(this);
    d.renderRequested->SetCallback([](vtkObject*, unsigned long, void* self, void*) {
        static_cast<VtkView*>(self)->requestRender();
    });
    d.interactor->AddObserver(vtkCommand::RenderEvent, d.renderRequested);
    d.interactor->Initialize();
}

VtkView::~VtkView() {
    // ~QOpenGLWidget deletes the context after this object is gone: its aboutToBeDestroyed
    // must not reach releaseGraphics() then.
    if (context())
        disconnect(context(), nullptr, this, nullptr);
    releaseGraphics();
    auto& d = *m_impl;
    d.window->RemoveObserver(d.makeCurrent);
    d.interactor->RemoveObserver(d.renderRequested);
    // The window and the interactor hold each other; break the cycle here rather than leave it
    // to VTK's garbage collector.
    d.window->SetInteractor(nullptr);
    d.interactor->SetRenderWindow(nullptr);
}

vtkRenderer* VtkView::renderer() const {
    return m_impl->renderer;
}

void VtkView::requestRender() {
    // QWidget::update() posts one paint however often it is called before the event loop runs.
    update();
}

QImage VtkView::grabImage() {
    return grabFramebuffer();
}

void VtkView::initializeGL() {
    auto& d = *m_impl;
    // A widget moved to another top-level window gets a new context: VTK's resources live in
    // the old one and must go with it.
    connect(context(), &QOpenGLContext::aboutToBeDestroyed, this, &VtkView::releaseGraphics,
            Qt::UniqueConnection);
    d.window->SetReadyForRendering(true);
    d.window->OpenGLInitContext();
    d.glReady = true;
    syncSize();
}

void VtkView::resizeGL(int, int) {
    syncSize();
}

void VtkView::syncSize() {
    auto& d = *m_impl;
    const QSize deviceSize = size() * devicePixelRatioF();
    const int* current = d.window->GetSize();
    if (current[0] != deviceSize.width() || current[1] != deviceSize.height()) {
        // Sets both the interactor's size (for flipping y) and the render window's.
        d.interactor->UpdateSize(deviceSize.width(), deviceSize.height());
    }
    d.window->SetDPI(static_cast<int>(std::lround(72 * devicePixelRatioF())));
}

void VtkView::paintGL() {
    auto& d = *m_impl;
    if (!d.glReady)
        return;
    syncSize();
    d.window->Render();

    // Rendering may have made another context current (VTK events reaching other widgets).
    makeCurrent();
    QOpenGLExtraFunctions* f = context()->extraFunctions();
    vtkOpenGLFramebufferObject* display = d.window->GetDisplayFramebuffer();
    if (!display || display->GetFBOIndex() == 0)
        return;
    const int* source = display->GetLastSize();
    const QSize target = size() * devicePixelRatioF();

    // Raw GL rather than VTK's state tracker: VTK resets its cached state at the start of every
    // render, and Qt expects its own framebuffer bound when paintGL returns.
    const GLboolean scissor = f->glIsEnabled(GL_SCISSOR_TEST);
    if (scissor)
        f->glDisable(GL_SCISSOR_TEST);
    f->glBindFramebuffer(GL_READ_FRAMEBUFFER, display->GetFBOIndex());
    f->glReadBuffer(GL_COLOR_ATTACHMENT0);
    f->glBindFramebuffer(GL_DRAW_FRAMEBUFFER, defaultFramebufferObject());
    const GLenum drawBuffer = GL_COLOR_ATTACHMENT0;
    f->glDrawBuffers(1, &drawBuffer);
    f->glBlitFramebuffer(0, 0, source[0], source[1], 0, 0, target.width(), target.height(),
                         GL_COLOR_BUFFER_BIT, GL_NEAREST);
    f->glBindFramebuffer(GL_FRAMEBUFFER, defaultFramebufferObject());
    if (scissor)
        f->glEnable(GL_SCISSOR_TEST);
    d.window->GetState()->ResetFramebufferBindings();
}

void VtkView::releaseGraphics() {
    auto& d = *m_impl;
    if (!d.glReady)
        return;
    makeCurrent();
    d.window->Finalize();
    d.window->SetReadyForRendering(false);
    d.glReady = false;
    doneCurrent();
}

void VtkView::mousePressEvent(QMouseEvent* event) {
    const unsigned long id = pressEvent(event->button());
    if (id == vtkCommand::NoEvent)
        return QOpenGLWidget::mousePressEvent(event);
    if (event->button() == Qt::LeftButton)
        m_pressPos = event->position().toPoint();
    setEventPosition(m_impl->interactor, this, event->position(), event->modifiers());
    m_impl->interactor->InvokeEvent(id, nullptr);
    event->accept();
}

void VtkView::mouseMoveEvent(QMouseEvent* event) {
    setEventPosition(m_impl->interactor, this, event->position(), event->modifiers());
    m_impl->interactor->InvokeEvent(vtkCommand::MouseMoveEvent, nullptr);
    event->accept();
}

void VtkView::mouseReleaseEvent(QMouseEvent* event) {
    const unsigned long id = releaseEvent(event->button());
    if (id == vtkCommand::NoEvent)
        return QOpenGLWidget::mouseReleaseEvent(event);
    setEventPosition(m_impl->interactor, this, event->position(), event->modifiers());
    m_impl->interactor->InvokeEvent(id, nullptr);
    event->accept();
    if (event->button() == Qt::LeftButton) {
        const QPoint pos = event->position().toPoint();
        const bool still = (pos - m_pressPos).manhattanLength() <= 4;
        m_pressPos = QPoint(-1000, -1000);
        if (still)
            Q_EMIT clicked(pos);
    }
}

void VtkView::wheelEvent(QWheelEvent* event) {
    const int dy = event->angleDelta().y();
    if (dy == 0)
        return QOpenGLWidget::wheelEvent(event);
    setEventPosition(m_impl->interactor, this, event->position(), event->modifiers());
    m_impl->interactor->InvokeEvent(
        dy > 0 ? vtkCommand::MouseWheelForwardEvent : vtkCommand::MouseWheelBackwardEvent, nullptr);
    event->accept();
}

} // namespace ps

// The moc output is compiled here, not in the shared mocs_compilation unit, so executables
// that never show a 3-D view (the CLI) do not pull VtkView and with it VTK and MPI.
#include "moc_vtk_view.cpp"
